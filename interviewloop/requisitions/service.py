"""Requisitions: the role definition, the hiring team's agreement, opening and closing.
No Flask here; callers commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User, UserRole
from interviewloop.db import utcnow
from interviewloop.enums import Level, Role
from interviewloop.errors import Conflict, DomainError, Forbidden, NotFound
from interviewloop.requisitions.models import (
    OPERATING_QUESTIONS,
    PRODUCTION_SURFACE,
    Candidate,
    Requisition,
    RequisitionMember,
    RequisitionStatus,
)
from interviewloop.requisitions.signals import requisition_opened, team_member_removing

DEFINITION_FIELDS = ("title", "level", "team", *OPERATING_QUESTIONS, *PRODUCTION_SURFACE,
                     "comp_currency", "comp_min", "comp_max")


class InvalidRequisition(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleRequisition(Conflict):
    def __init__(self) -> None:
        super().__init__("Someone else changed this requisition while you were editing it. "
                         "Your input is shown below; check the current version and save again.")


@dataclass
class RequisitionInput:
    title: str
    level: str
    team: str
    hiring_manager_id: int
    recruiter_id: int
    comp_currency: str
    comp_min: int
    comp_max: int
    answers: dict[str, str] = field(default_factory=dict)   # operating questions
    surface: dict[str, str] = field(default_factory=dict)   # production surface
    hide_scorecards_until_debrief: bool = False


# --- who sees what ---------------------------------------------------------------------------

def on_team(user: User, requisition: Requisition, member_ids: Iterable[int] = ()) -> bool:
    return user.id in (requisition.hiring_manager_id, requisition.recruiter_id) or \
        user.id in set(member_ids)


def _team_filter(user_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """Requisition ids whose hiring team includes the user."""
    member = exists().where(RequisitionMember.requisition_id == Requisition.id,
                            RequisitionMember.user_id == user_id)
    return or_(Requisition.hiring_manager_id == user_id, Requisition.recruiter_id == user_id,
               member)


def visible_clause(user: User) -> ColumnElement[bool]:
    """Requisitions ``user`` may see, as SQL (the rule of get_requisition, for lists)."""
    return visible_to(user.is_admin, user.id)


def visible_to(admin: bool, user_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """visible_clause for an admin or not and a user id, which may be a bind parameter: for
    a statement built once per kind of viewer (see scorecards.service.form_context)."""
    return true() if admin else _team_filter(user_id)


def managed_clause(user: User) -> ColumnElement[bool]:
    """Requisitions ``user`` manages, as SQL: the rule of can_manage, for lists."""
    return managed_by(user.is_admin, user.id)


def managed_by(admin: bool, user_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """managed_clause for an admin or not and a user id, which may be a bind parameter (as
    visible_to)."""
    if admin:
        return true()
    return or_(Requisition.hiring_manager_id == user_id, Requisition.recruiter_id == user_id)


def visible_requisitions(session: Session, user: User) -> list[tuple[Requisition, int, int]]:
    """(requisition, candidates, active candidates) for every requisition the user may see."""
    counts = (
        select(Candidate.requisition_id, func.count().label("total"),
               func.count().filter(Candidate.status == "active").label("active"))
        .group_by(Candidate.requisition_id).subquery()
    )
    stmt = (
        select(Requisition, func.coalesce(counts.c.total, 0), func.coalesce(counts.c.active, 0))
        .outerjoin(counts, counts.c.requisition_id == Requisition.id)
        .options(selectinload(Requisition.hiring_manager), selectinload(Requisition.recruiter))
        .order_by(Requisition.status, Requisition.created_at.desc(), Requisition.id.desc())
    )
    if not user.is_admin:
        stmt = stmt.where(_team_filter(user.id))
    return [tuple(row) for row in session.execute(stmt)]


class Person(NamedTuple):
    """Someone as a list or a picker shows them: plain values, not a loaded user."""

    id: int
    name: str
    email: str


def get_requisition(session: Session, user: User, requisition_id: int, *,
                    team: bool = True, members: bool = True) -> Requisition:
    """The requisition if ``user`` is on its hiring team (or admin); 404 otherwise, so that
    people off the team cannot even learn that it exists. ``team``: with its manager,
    recruiter and (unless ``members`` is False) members loaded (a page that shows none of
    them passes False: 7 statements fewer; who may see it is decided in the query, who may
    manage it by the two ids)."""
    requisition = session.scalar(_requisition_read(team, team and members, user.is_admin),
                                 {"requisition_id": requisition_id, "user_id": user.id})
    if requisition is None:
        raise NotFound("No such requisition.")
    return requisition


@cache
def _requisition_read(team: bool, members: bool, admin: bool) -> Select[Requisition]:
    """get_requisition's statement, built once for each shape (most pages read one): with
    its loader options it cost more to build than to run."""
    stmt = select(Requisition).where(Requisition.id == bindparam("requisition_id"))
    if team:  # the people's names: their roles are read only if asked (lazyload)
        stmt = stmt.options(
            joinedload(Requisition.hiring_manager).lazyload(User.role_rows),
            joinedload(Requisition.recruiter).lazyload(User.role_rows))
    if members:
        stmt = stmt.options(selectinload(Requisition.members).joinedload(RequisitionMember.user)
                            .lazyload(User.role_rows))
    return stmt.where(visible_to(admin, bindparam("user_id")))


def team_members(session: Session, requisition: Requisition) -> list[Person]:
    """The requisition's interviewers as its page lists them, in the order they joined:
    plain rows, not a member and a user object each."""
    return [Person(*row) for row in session.execute(
        select(User.id, User.name, User.email).join(RequisitionMember)
        .where(RequisitionMember.requisition_id == requisition.id)
        .order_by(RequisitionMember.added_at, RequisitionMember.user_id))]


def can_manage(user: User | None, requisition: Requisition) -> bool:
    """Edit the definition, the team and the candidates: the manager, the recruiter, admins.
    (Never the system: a job or a CLI command acts for nobody on a hiring team.)"""
    return user is not None and (
        user.is_admin or user.id in (requisition.hiring_manager_id, requisition.recruiter_id))


def require_manage(user: User | None, requisition: Requisition) -> None:
    if not can_manage(user, requisition):
        raise Forbidden("Only the requisition's hiring manager, its recruiter or an admin "
                        "can change it.")


def can_create(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER)


def people_for(session: Session, role: Role) -> list[Person]:
    """Active users holding ``role``, for the pickers (plain rows: a picker shows names)."""
    return [Person(*row) for row in session.execute(
        select(User.id, User.name, User.email).join(UserRole)
        .where(UserRole.role == role, User.is_active.is_(True)).order_by(User.name))]


# --- changes ----------------------------------------------------------------------------------

def _clean(data: RequisitionInput, session: Session) -> dict[str, object]:
    title, team = data.title.strip(), data.team.strip()
    if len(title) not in limits.REQUISITION_TITLE:
        raise InvalidRequisition(f"A title is 1 to {limits.REQUISITION_TITLE.high} characters.",
                                 "title")
    if len(team) not in limits.TEAM_NAME:
        raise InvalidRequisition(f"A team is 1 to {limits.TEAM_NAME.high} characters.", "team")
    try:
        level = Level(data.level)
    except ValueError:
        raise InvalidRequisition("Choose junior, senior or staff.", "level") from None
    currency = (data.comp_currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidRequisition("Use a three-letter currency code such as USD.",
                                 "comp_currency")
    if data.comp_min < 0:
        raise InvalidRequisition("The band cannot be negative.", "comp_min")
    if data.comp_max < data.comp_min:
        raise InvalidRequisition("The band's maximum is below its minimum.", "comp_max")
    manager = session.get(User, data.hiring_manager_id)
    if manager is None or not manager.is_active or not manager.has_role(Role.HIRING_MANAGER):
        raise InvalidRequisition("Choose an active hiring manager.", "hiring_manager_id")
    recruiter = session.get(User, data.recruiter_id)
    if recruiter is None or not recruiter.is_active or not recruiter.has_role(Role.RECRUITER):
        raise InvalidRequisition("Choose an active recruiter.", "recruiter_id")
    values: dict[str, object] = {
        "title": title, "team": team, "level": level, "comp_currency": currency,
        "comp_min": data.comp_min, "comp_max": data.comp_max,
        "hiring_manager_id": manager.id, "recruiter_id": recruiter.id,
        "hide_scorecards_until_debrief": bool(data.hide_scorecards_until_debrief),
    }
    for name, text in [*data.answers.items(), *data.surface.items()]:
        if name not in OPERATING_QUESTIONS and name not in PRODUCTION_SURFACE:
            raise InvalidRequisition(f"Unknown field {name!r}.")
        text = (text or "").strip()
        if len(text) > limits.ANSWER:
            raise InvalidRequisition(f"Keep this under {limits.ANSWER} characters.", name)
        values[name] = text or None
    return values


def create_requisition(session: Session, actor: Actor, data: RequisitionInput) -> Requisition:
    if actor.user is None or not can_create(actor.user):
        raise Forbidden("Only recruiters, hiring managers and admins open requisitions.")
    requisition = Requisition(**_clean(data, session), members=[])
    session.add(requisition)
    session.flush()
    record(session, actor, "requisition_created", requisition, title=requisition.title)
    return requisition


def update_requisition(session: Session, actor: Actor, requisition: Requisition,
                       data: RequisitionInput, *, seen_version: int) -> Requisition:
    """Save an edit made on ``seen_version``. Changing the role's definition clears both
    confirmations: the team agrees again on what changed. Changing the hiring manager or the
    recruiter clears that role's confirmation: the new person has agreed to nothing yet."""
    require_manage(actor.user, requisition)
    if seen_version != requisition.version:
        raise StaleRequisition
    if requisition.status == RequisitionStatus.CLOSED:
        raise Conflict("This requisition is closed; it can no longer be changed.")
    values = _clean(data, session)
    if requisition.status == RequisitionStatus.OPEN:
        blank = [OPERATING_QUESTIONS[n] for n in OPERATING_QUESTIONS if not values.get(n)]
        if blank:
            raise InvalidRequisition("An open requisition keeps every operating question "
                                     f"answered: {'; '.join(blank)}")
    changed = {name: [str(getattr(requisition, name)), str(value)]
               for name, value in values.items() if getattr(requisition, name) != value}
    if not changed:
        return requisition
    lapsed = set()
    if set(changed) & set(DEFINITION_FIELDS):
        lapsed |= {"manager", "recruiter"}
    # A confirmation is the person's who gave it: a new manager or recruiter confirms anew.
    if "hiring_manager_id" in changed:
        lapsed.add("manager")
    if "recruiter_id" in changed:
        lapsed.add("recruiter")
    cleared = sorted(role for role in lapsed
                     if getattr(requisition, f"{role}_confirmed_by_id") is not None)
    for role in lapsed:
        setattr(requisition, f"{role}_confirmed_by_id", None)
        setattr(requisition, f"{role}_confirmed_at", None)
    for name, value in values.items():
        setattr(requisition, name, value)
    session.flush()
    record(session, actor, "requisition_updated", requisition, fields=sorted(changed),
           confirmations_cleared=bool(cleared), cleared_confirmations=cleared)
    return requisition


def confirm_definition(session: Session, actor: Actor, requisition: Requisition) -> Requisition:
    """The hiring manager or the recruiter agrees to the role as defined; the confirmation
    is stored as theirs (by user id), so it lapses if someone else takes the role."""
    user = actor.user
    if user is None:
        raise Forbidden("Only this requisition's hiring manager and recruiter confirm its "
                        "definition.")
    roles = []
    if user.id == requisition.hiring_manager_id:
        requisition.manager_confirmed_by_id = user.id
        requisition.manager_confirmed_at = utcnow()
        roles.append("hiring_manager")
    if user.id == requisition.recruiter_id:
        requisition.recruiter_confirmed_by_id = user.id
        requisition.recruiter_confirmed_at = utcnow()
        roles.append("recruiter")
    if not roles:
        raise Forbidden("Only this requisition's hiring manager and recruiter confirm its "
                        "definition.")
    session.flush()
    record(session, actor, "requisition_confirmed", requisition, **{"as": roles})
    return requisition


def opening_blockers(requisition: Requisition) -> list[str]:
    """Everything that stands between this requisition and opening, in words."""
    blockers = [f"Answer the operating question: {q}" for q in requisition.unanswered]
    if not requisition.manager_confirmed:
        blockers.append("The hiring manager has not confirmed the role definition.")
    if not requisition.recruiter_confirmed:
        blockers.append("The recruiter has not confirmed the role definition.")
    return blockers


def open_requisition(session: Session, actor: Actor, requisition: Requisition) -> Requisition:
    require_manage(actor.user, requisition)
    if not requisition.is_draft:
        raise Conflict(f"This requisition is {requisition.status.value}, not a draft.")
    blockers = opening_blockers(requisition)
    if blockers:
        raise Conflict("Cannot open yet. " + " ".join(blockers))
    requisition.status = RequisitionStatus.OPEN
    requisition.opened_at = utcnow()
    session.flush()
    record(session, actor, "requisition_opened", requisition)
    requisition_opened.send(session, requisition=requisition)
    return requisition


def close_requisition(session: Session, actor: Actor, requisition: Requisition) -> Requisition:
    require_manage(actor.user, requisition)
    if requisition.status == RequisitionStatus.CLOSED:
        raise Conflict("This requisition is already closed.")
    requisition.status = RequisitionStatus.CLOSED
    requisition.closed_at = utcnow()
    session.flush()
    record(session, actor, "requisition_closed", requisition)
    return requisition


def add_member(session: Session, actor: Actor, requisition: Requisition, user_id: int) -> User:
    require_manage(actor.user, requisition)
    user = session.get(User, user_id)
    if user is None or not user.is_active or not user.has_role(Role.INTERVIEWER):
        raise InvalidRequisition("Choose an active interviewer.", "user_id")
    if any(m.user_id == user.id for m in requisition.members):
        raise Conflict(f"{user.name} is already on the hiring team.")
    requisition.members.append(RequisitionMember(user=user))
    session.flush()
    record(session, actor, "team_member_added", requisition, user_id=user.id)
    return user


def remove_member(session: Session, actor: Actor, requisition: Requisition, user_id: int) -> None:
    require_manage(actor.user, requisition)
    member = next((m for m in requisition.members if m.user_id == user_id), None)
    if member is None:
        raise NotFound("That person is not on the hiring team.")
    team_member_removing.send(session, requisition=requisition, user_id=user_id)
    requisition.members.remove(member)
    session.flush()
    record(session, actor, "team_member_removed", requisition, user_id=user_id)


# --- compensation guidance --------------------------------------------------------------------

@dataclass(frozen=True)
class CompReference:
    label: str
    amount: int
    currency: str = "USD"


def comp_notices(requisition: Requisition, references: Iterable[CompReference]) -> list[str]:
    """Why a senior or staff band may be too low for the market, if it is."""
    references = list(references)
    if requisition.level == Level.JUNIOR or not references:
        return []
    same_currency = [r for r in references if r.currency == requisition.comp_currency]
    if not same_currency:
        return [f"The reference figures are in {references[0].currency}; compare this "
                f"{requisition.comp_currency} band with your own market's data."]
    below = [r for r in same_currency if requisition.comp_max < r.amount]
    if not below:
        return []
    names = "; ".join(f"{r.label}: {r.amount:,} {r.currency}" for r in below)
    return [f"This {requisition.level.value} band tops out at {requisition.comp_max:,} "
            f"{requisition.comp_currency}, below {names}. Engineers who own production AI "
            "systems are benchmarked against senior engineering pay, not generic software "
            "roles."]


def parse_comp_references(raw: Iterable[Mapping[str, Any]]) -> list[CompReference]:
    return [CompReference(label=str(r["label"]), amount=int(r["amount"]),
                          currency=str(r.get("currency", "USD"))) for r in raw]
