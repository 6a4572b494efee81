"""Interviewer pools: who may sit on which panels, who trains for them, and promotions.

A pool holds the interviewers of one kind of loop stage (a question category at a level).
Where a stage's kind has a pool, its panel is drawn from the pool's qualified members,
and trainees (shadow, then reverse-shadow) sit on top of that panel; where it has none,
booking stays as it was (any interviewer on the hiring team). A trainee is promoted one
step at a time once they have held enough seats (settings POOL_SHADOWS_TO_PROMOTE and
POOL_REVERSE_SHADOWS_TO_PROMOTE), signed off by an admin or the pool's owner; every change
of membership is kept (PoolChange) and audited. Operations flush, never commit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User, UserRole
from interviewloop.db import utcnow
from interviewloop.enums import Category, Level, PanelRole, Role
from interviewloop.errors import Conflict, DomainError, Forbidden, NotFound
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.pools.access import can_create_pool, can_manage_pool
from interviewloop.pools.models import Pool, PoolChange, PoolMember, PoolState
from interviewloop.pools.signals import counting_training

HISTORY_SHOWN = 50  # the latest changes on a pool's page


class InvalidPoolInput(DomainError):
    status_code = 422


@dataclass(frozen=True)
class Thresholds:
    """Seats a trainee holds before the next step (from the app's settings)."""

    shadows: int = 2
    reverse_shadows: int = 2

    def needed(self, state: PoolState) -> int:
        return {PoolState.SHADOW: self.shadows,
                PoolState.REVERSE_SHADOW: self.reverse_shadows}.get(state, 0)


@dataclass(frozen=True)
class Progress:
    """A member's training: the seats held, what the next step needs, whether it is due."""

    shadows: int
    reverse_shadows: int
    needed: int  # seats of the current step's kind the next step needs (0: qualified)
    done: int  # seats of that kind held so far

    @property
    def ready(self) -> bool:
        return self.needed > 0 and self.done >= self.needed


# --- reading ----------------------------------------------------------------------------

def list_pools(session: Session) -> list[Pool]:
    return list(session.scalars(select(Pool).options(joinedload(Pool.owner))
                                .order_by(Pool.level, Pool.category)))


def get_pool(session: Session, pool_id: int) -> Pool:
    pool = session.scalar(select(Pool).where(Pool.id == pool_id)
                          .options(joinedload(Pool.owner)))
    if pool is None:
        raise NotFound("No such pool.")
    return pool


def owns_a_pool(session: Session, user: User) -> bool:
    return session.scalar(select(exists().where(Pool.owner_id == user.id))) or False


def pool_for(session: Session, category: Category, level: Level) -> Pool | None:
    return session.scalar(select(Pool).where(Pool.category == category, Pool.level == level)
                          .options(joinedload(Pool.owner)))


def pool_for_stage(session: Session, stage: LoopStage) -> Pool | None:
    """The pool of this stage's kind (its category, its loop's level), if there is one."""
    level = session.scalar(select(Loop.level).where(Loop.id == stage.loop_id))
    return pool_for(session, stage.category, level) if level is not None else None


def _is_interviewer(user_id_column: InstrumentedAttribute[int]) -> Exists:
    return exists().where(UserRole.user_id == user_id_column, UserRole.role == Role.INTERVIEWER)


def qualified_interviewers(session: Session, stage: LoopStage) -> list[User]:
    """Who may sit on this stage's panel, by name: the active interviewers qualified in the
    pool of its kind; where that kind has no pool, every active interviewer (as before
    pools). Booking asks besides that each is on the requisition's hiring team."""
    pool = pool_for_stage(session, stage)
    stmt = select(User).where(User.is_active.is_(True), _is_interviewer(User.id))
    if pool is not None:
        stmt = stmt.join(PoolMember, PoolMember.user_id == User.id).where(
            PoolMember.pool_id == pool.id, PoolMember.state == PoolState.QUALIFIED)
    return list(session.scalars(stmt.order_by(User.name, User.id)))


def members(session: Session, pool: Pool) -> list[PoolMember]:
    """The pool's members with their people, qualified first, then by name (one query)."""
    order = {PoolState.QUALIFIED: 0, PoolState.REVERSE_SHADOW: 1, PoolState.SHADOW: 2}
    rows = session.scalars(
        select(PoolMember).join(User, User.id == PoolMember.user_id)
        .where(PoolMember.pool_id == pool.id)
        .options(joinedload(PoolMember.user).raiseload(User.role_rows),
                 joinedload(PoolMember.coach).raiseload(User.role_rows))
        .order_by(User.name, User.id)).all()
    return sorted(rows, key=lambda m: order[m.state])


def trainees(session: Session, stage: LoopStage) -> list[PoolMember]:
    """The trainees of this stage's pool (none without a pool), who may sit on top of its
    panel in their seat (shadow or reverse shadow)."""
    pool = pool_for_stage(session, stage)
    if pool is None:
        return []
    return list(session.scalars(
        select(PoolMember).join(User, User.id == PoolMember.user_id)
        .where(PoolMember.pool_id == pool.id, PoolMember.state != PoolState.QUALIFIED,
               User.is_active.is_(True))
        .options(joinedload(PoolMember.user)).order_by(User.name, User.id)))


def history(session: Session, pool: Pool, limit: int = HISTORY_SHOWN) -> list[PoolChange]:
    return list(session.scalars(
        select(PoolChange).where(PoolChange.pool_id == pool.id)
        .options(joinedload(PoolChange.user).raiseload(User.role_rows),
                 joinedload(PoolChange.actor).raiseload(User.role_rows))
        .order_by(PoolChange.id.desc()).limit(limit)))


def progress(session: Session, pool: Pool, pool_members: Sequence[PoolMember],
             thresholds: Thresholds, now: datetime | None = None) -> dict[int, Progress]:
    """Each member's seats held (one query, answered by scorecards), and what is next."""
    now = now or utcnow()
    user_ids = [m.user_id for m in pool_members]
    seats: dict[int, dict[PanelRole, int]] = {}
    if user_ids:
        for _receiver, found in counting_training.send(
                session, category=pool.category, level=pool.level, user_ids=user_ids, now=now):
            seats.update(found)
    result = {}
    for member in pool_members:
        held = seats.get(member.user_id, {})
        shadows, reverse = held.get(PanelRole.SHADOW, 0), held.get(PanelRole.REVERSE_SHADOW, 0)
        done = {PoolState.SHADOW: shadows, PoolState.REVERSE_SHADOW: reverse}.get(
            member.state, 0)
        result[member.user_id] = Progress(shadows, reverse, thresholds.needed(member.state), done)
    return result


# --- booking ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Seating:
    """Who sits where on a panel, or why not."""

    refusals: list[str]
    roles: dict[int, PanelRole]


def seat_panel(session: Session, stage: LoopStage, panel_ids: Collection[int],
               trainee_ids: Collection[int]) -> Seating:
    """The seat of each person on this stage's panel: the required panel must be qualified
    in the stage's pool (when its kind has one); each trainee sits in the seat of their
    state (shadow or reverse shadow). People not found are left to the caller's checks."""
    panel, extra = set(panel_ids), set(trainee_ids)
    roles = dict.fromkeys(panel, PanelRole.PANEL)
    refusals: list[str] = []
    pool = pool_for_stage(session, stage)
    both = panel & extra
    if pool is None:
        if extra:
            refusals.append("This kind of stage has no interviewer pool, so it takes no "
                            "trainees.")
        return Seating(refusals, roles)
    found = {m.user_id: m for m in session.scalars(
        select(PoolMember).where(PoolMember.pool_id == pool.id,
                                 PoolMember.user_id.in_(panel | extra))
        .options(joinedload(PoolMember.user)))}
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_(panel | extra))).all())
    for user_id in sorted(both):
        refusals.append(f"{names.get(user_id, 'Someone')} is both on the panel and a trainee: "
                        "choose one.")
    for user_id in sorted(panel - both):
        member = found.get(user_id)
        if user_id in names and (member is None or member.state != PoolState.QUALIFIED):
            refusals.append(
                f"{names[user_id]} is not qualified in the {pool.name} pool: its panels "
                "take qualified interviewers (add them as a trainee, on top of the panel).")
    for user_id in sorted(extra - both):
        member = found.get(user_id)
        if member is None:
            if user_id in names:
                refusals.append(f"{names[user_id]} is not training in the {pool.name} pool.")
        elif member.state == PoolState.QUALIFIED:
            refusals.append(f"{member.user.name} is qualified: put them on the panel.")
        else:
            roles[user_id] = member.state.seat
    return Seating(refusals, roles)


# --- changing ---------------------------------------------------------------------------

def _require_manage(actor: Actor, pool: Pool) -> User:
    if actor.user is None or not can_manage_pool(actor.user, pool):
        raise Forbidden("Only an admin or the pool's owner manages its members.")
    return actor.user


def _active_interviewer(session: Session, user_id: int | None, what: str) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise InvalidPoolInput(f"Choose the {what}.")
    if not user.is_active:
        raise InvalidPoolInput(f"{user.name} is deactivated.")
    if not user.has_role(Role.INTERVIEWER):
        raise InvalidPoolInput(f"{user.name} is not an interviewer.")
    return user


def _clean_note(note: str) -> str:
    note = note.strip()
    if len(note) > limits.CHANGE_REASON:
        raise InvalidPoolInput(f"Keep the note under {limits.CHANGE_REASON} characters.")
    return note


def _member(session: Session, pool: Pool, user_id: int) -> PoolMember:
    member = session.scalar(select(PoolMember).where(
        PoolMember.pool_id == pool.id, PoolMember.user_id == user_id)
        .options(joinedload(PoolMember.user)).with_for_update(of=PoolMember))
    if member is None:
        raise NotFound("That person is not in this pool.")
    return member


def _coach(session: Session, pool: Pool, coach_id: int | None, trainee_id: int) -> int | None:
    """A named coach must be a qualified member of the pool (not the trainee)."""
    if coach_id is None:
        return None
    if coach_id == trainee_id:
        raise InvalidPoolInput("A trainee's coach is someone else.")
    qualified = session.scalar(select(PoolMember.user_id).join(
        User, User.id == PoolMember.user_id).where(
        PoolMember.pool_id == pool.id, PoolMember.user_id == coach_id,
        PoolMember.state == PoolState.QUALIFIED, User.is_active.is_(True)))
    if qualified is None:
        raise InvalidPoolInput("A coach is an active, qualified member of the pool.")
    return coach_id


def _log(session: Session, actor: Actor, pool: Pool, user_id: int, kind: str,
         before: PoolState | None, after: PoolState | None, done: Progress | None = None,
         note: str = "") -> PoolChange:
    change = PoolChange(pool_id=pool.id, user_id=user_id, actor_id=actor.user_id, kind=kind,
                        before=before, after=after, note=note,
                        shadows=done.shadows if done else 0,
                        reverse_shadows=done.reverse_shadows if done else 0)
    session.add(change)
    return change


def create_pool(session: Session, actor: Actor, category: str, level: str,
                owner_id: int | None) -> Pool:
    if actor.user is None or not can_create_pool(actor.user):
        raise Forbidden("Only an admin creates interviewer pools.")
    try:
        kind, at = Category(category), Level(level)
    except ValueError:
        raise InvalidPoolInput("Choose a question category and a level.") from None
    owner = session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.is_active:
        raise InvalidPoolInput("Choose an active owner for the pool.")
    if pool_for(session, kind, at) is not None:
        raise Conflict("That kind of stage already has a pool.")
    pool = Pool(category=kind, level=at, owner_id=owner.id)
    session.add(pool)
    session.flush()
    record(session, actor, "pool_created", pool, category=kind.value, level=at.value,
           owner_id=owner.id)
    return pool


def add_member(session: Session, actor: Actor, pool: Pool, user_id: int | None, state: str,
               coach_id: int | None = None, note: str = "") -> PoolMember:
    """Add someone to the pool: as a trainee (shadow, or reverse shadow for someone who has
    shadowed elsewhere) or as qualified (an experienced interviewer)."""
    _require_manage(actor, pool)
    try:
        starting = PoolState(state)
    except ValueError:
        raise InvalidPoolInput("Choose shadow, reverse shadow or qualified.") from None
    user = _active_interviewer(session, user_id, "person to add")
    note = _clean_note(note)
    if session.get(PoolMember, (pool.id, user.id)) is not None:
        raise Conflict(f"{user.name} is already in this pool.")
    coach = _coach(session, pool, coach_id, user.id) if starting != PoolState.QUALIFIED else None
    member = PoolMember(pool_id=pool.id, user_id=user.id, state=starting, coach_id=coach)
    session.add(member)
    _log(session, actor, pool, user.id, "added", None, starting, note=note)
    session.flush()
    record(session, actor, "pool_member_added", pool, user_id=user.id, state=starting.value,
           coach_id=coach)
    return member


def set_coach(session: Session, actor: Actor, pool: Pool, user_id: int,
              coach_id: int | None) -> PoolMember:
    _require_manage(actor, pool)
    member = _member(session, pool, user_id)
    if member.state == PoolState.QUALIFIED:
        raise Conflict(f"{member.user.name} is qualified: only trainees have a coach.")
    member.coach_id = _coach(session, pool, coach_id, user_id)
    _log(session, actor, pool, user_id, "coach", member.state, member.state,
         note=f"coach: {session.get_one(User, coach_id).name}" if coach_id else
         "coach: the pool's owner")
    session.flush()
    record(session, actor, "pool_coach_set", pool, user_id=user_id, coach_id=member.coach_id)
    return member


def promotion_blocker(member: PoolMember, done: Progress) -> str | None:
    """Why this member cannot be promoted now, in words; None when they can."""
    following = member.state.next
    if following is None:
        return f"{member.user.name} is already qualified."
    if not done.ready:
        kind = "shadows" if member.state == PoolState.SHADOW else "reverse shadows"
        return (f"{member.user.name} has held {done.done} of the {done.needed} {kind} a "
                f"promotion to {following.label} needs (interviews over, practice card "
                "submitted).")
    return None


def promote(session: Session, actor: Actor, pool: Pool, user_id: int, thresholds: Thresholds,
            *, expected: str | None = None, note: str = "",
            now: datetime | None = None) -> PoolMember:
    """Sign off a trainee's next step (shadow to reverse shadow, reverse shadow to
    qualified) once they have held the seats it needs. ``expected`` is the state the
    signer saw: a member promoted meanwhile by someone else is refused, not skipped on."""
    _require_manage(actor, pool)
    note = _clean_note(note)
    member = _member(session, pool, user_id)
    if expected is not None and member.state.value != expected:
        raise Conflict(f"{member.user.name} was promoted a moment ago by someone else: they "
                       f"are now {member.state.label}. Reload the page.")
    done = progress(session, pool, [member], thresholds, now)[user_id]
    blocker = promotion_blocker(member, done)
    if blocker:
        raise Conflict(blocker)
    before, after = member.state, member.state.next
    assert after is not None  # promotion_blocker refuses the qualified
    member.state, member.since = after, utcnow()
    if after == PoolState.QUALIFIED:
        member.coach_id = None
    _log(session, actor, pool, user_id, "promoted", before, after, done, note)
    session.flush()
    record(session, actor, "pool_member_promoted", pool, user_id=user_id, before=before.value,
           after=after.value, shadows=done.shadows, reverse_shadows=done.reverse_shadows)
    return member


def remove_member(session: Session, actor: Actor, pool: Pool, user_id: int,
                  note: str = "") -> None:
    """Take someone out of the pool (their held seats and cards stay; so does the history).
    Trainees they coach fall back to the pool's owner."""
    _require_manage(actor, pool)
    note = _clean_note(note)
    member = _member(session, pool, user_id)
    before = member.state
    for coached in session.scalars(select(PoolMember).where(
            PoolMember.pool_id == pool.id, PoolMember.coach_id == user_id)):
        coached.coach_id = None
    session.delete(member)
    _log(session, actor, pool, user_id, "removed", before, None, note=note)
    session.flush()
    record(session, actor, "pool_member_removed", pool, user_id=user_id, before=before.value)


def candidates_to_add(session: Session, pool: Pool) -> list[User]:
    """Active interviewers not yet in the pool, by name (the add form's choices)."""
    in_pool = select(PoolMember.user_id).where(PoolMember.pool_id == pool.id)
    return list(session.scalars(
        select(User).where(User.is_active.is_(True), _is_interviewer(User.id),
                           User.id.not_in(in_pool))
        .options(selectinload(User.role_rows)).order_by(User.name, User.id)))


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.is_active.is_(True))
                                .order_by(User.name, User.id)))
