"""Interviewer pool pages: every pool, and one pool's members with their training, the
forms an admin or the pool's owner uses to add, coach, promote and remove, and the
history of its membership."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from interviewloop import limits
from interviewloop.auth.login import current_actor
from interviewloop.auth.models import User
from interviewloop.db import db
from interviewloop.errors import DomainError
from interviewloop.forms import ActionForm
from interviewloop.pools import access, service
from interviewloop.pools.forms import CoachForm, MemberForm, PoolForm, PromoteForm, RemoveForm
from interviewloop.pools.models import Pool, PoolState

bp = Blueprint("pools", __name__, template_folder="templates")


def thresholds() -> service.Thresholds:
    config = current_app.config
    return service.Thresholds(config["POOL_SHADOWS_TO_PROMOTE"],
                              config["POOL_REVERSE_SHADOWS_TO_PROMOTE"])


@bp.get("/pools")
@login_required
def index() -> ResponseReturnValue:
    return _index()


def _index(form: PoolForm | None = None, status: int = 200) -> ResponseReturnValue:
    if form is None:
        form = PoolForm()
        form.set_people(service.active_users(db.session))
    return render_template("pools/index.html", pools=service.list_pools(db.session), form=form,
                           can_create=access.can_create_pool(current_user)), status


@bp.post("/pools")
@login_required
def create() -> ResponseReturnValue:
    if not access.can_create_pool(current_user):
        abort(403, "Only an admin creates interviewer pools.")
    form = PoolForm()
    form.set_people(service.active_users(db.session))
    if not form.validate_on_submit():
        return _index(form, 422)
    try:
        pool = service.create_pool(db.session, current_actor(), form.category.data,
                                   form.level.data, form.owner_id)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _index(form, exc.status_code)
    db.session.commit()
    flash(f"Pool created: {pool.name}.", "success")
    return redirect(url_for(".show", pool_id=pool.id))


def _page(pool: Pool, *, member_form: MemberForm | None = None, status: int = 200,
          problem: str | None = None) -> ResponseReturnValue:
    members = service.members(db.session, pool)
    progress = service.progress(db.session, pool, members, thresholds())
    manages = access.can_manage_pool(current_user, pool)
    coaches = [m.user for m in members if m.state == PoolState.QUALIFIED and m.user.is_active]
    if manages and member_form is None:
        member_form = MemberForm()
        member_form.set_people(service.candidates_to_add(db.session, pool), coaches)
    coach_form = CoachForm()
    coach_form.set_people(coaches)
    blockers = {m.user_id: service.promotion_blocker(m, progress[m.user_id]) for m in members}
    return render_template(
        "pools/show.html", pool=pool, members=members, progress=progress, manages=manages,
        blockers=blockers, member_form=member_form, coach_form=coach_form,
        promote_form=PromoteForm(), remove_form=RemoveForm(), action_form=ActionForm(),
        history=service.history(db.session, pool), thresholds=thresholds(), problem=problem,
        reads_practice=manages or any(
            m.user_id == current_user.id or m.coach_id == current_user.id for m in members),
    ), status


@bp.get("/pools/<int:pool_id>")
@login_required
def show(pool_id: int) -> ResponseReturnValue:
    return _page(service.get_pool(db.session, pool_id))


def _managed(pool_id: int) -> Pool:
    # Decided before the lookup for whoever manages no pool at all (an unknown id tells
    # them nothing more than a known one).
    if not access.can_create_pool(current_user) and not service.owns_a_pool(
            db.session, current_user):
        abort(403, "Only an admin or a pool's owner manages its members and signs off "
                   "promotions.")
    pool = service.get_pool(db.session, pool_id)
    if not access.can_manage_pool(current_user, pool):
        abort(403, "Only an admin or the pool's owner manages its members and signs off "
                   "promotions.")
    return pool


def _refused(pool_id: int, exc: DomainError, form: FlaskForm | None = None
             ) -> ResponseReturnValue:
    """The pool's page again with the reason (and the add form's input kept)."""
    db.session.rollback()
    pool = service.get_pool(db.session, pool_id)
    if isinstance(form, MemberForm):
        form.form_errors.append(str(exc))
        return _page(pool, member_form=form, status=exc.status_code)
    return _page(pool, status=exc.status_code, problem=str(exc))


def _done(pool: Pool, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", pool_id=pool.id))


@bp.post("/pools/<int:pool_id>/members")
@login_required
def add_member(pool_id: int) -> ResponseReturnValue:
    pool = _managed(pool_id)
    form = MemberForm()
    form.set_people(service.candidates_to_add(db.session, pool), _coaches(pool))
    if not form.validate_on_submit():
        return _page(pool, member_form=form, status=422)
    try:
        member = service.add_member(db.session, current_actor(), pool, form.user_id,
                                    form.state.data, form.coach_id, form.note.data or "")
    except DomainError as exc:
        return _refused(pool_id, exc, form)
    return _done(pool, f"Added to the pool as {member.state.label}.")


def _act(pool_id: int, form: FlaskForm, operation: Callable[[Pool], str]
         ) -> ResponseReturnValue:
    """A member change from a one-button form: run it and say so, or show the reason."""
    pool = _managed(pool_id)
    if not form.validate_on_submit():
        return _refused(pool_id, service.InvalidPoolInput(
            f"Choose from the list, and keep the note under {limits.CHANGE_REASON} "
            "characters."))
    try:
        message = operation(pool)
    except DomainError as exc:
        return _refused(pool_id, exc)
    return _done(pool, message)


def _coaches(pool: Pool) -> list[User]:
    return [m.user for m in service.members(db.session, pool) if m.state == PoolState.QUALIFIED]


@bp.post("/pools/<int:pool_id>/members/<int:user_id>/promote")
@login_required
def promote(pool_id: int, user_id: int) -> ResponseReturnValue:
    form = PromoteForm()

    def sign_off(pool: Pool) -> str:
        member = service.promote(db.session, current_actor(), pool, user_id, thresholds(),
                                 expected=form.expected.data or None, note=form.note.data or "")
        return f"{member.user.name} is now {member.state.label}."

    return _act(pool_id, form, sign_off)


@bp.post("/pools/<int:pool_id>/members/<int:user_id>/coach")
@login_required
def coach(pool_id: int, user_id: int) -> ResponseReturnValue:
    form = CoachForm()

    def set_coach(pool: Pool) -> str:
        service.set_coach(db.session, current_actor(), pool, user_id, form.coach_id)
        return "Coach changed."

    form.set_people(_coaches(_managed(pool_id)))
    return _act(pool_id, form, set_coach)


@bp.post("/pools/<int:pool_id>/members/<int:user_id>/remove")
@login_required
def remove(pool_id: int, user_id: int) -> ResponseReturnValue:
    form = RemoveForm()

    def take_out(pool: Pool) -> str:
        service.remove_member(db.session, current_actor(), pool, user_id, form.note.data or "")
        return "Removed from the pool."

    return _act(pool_id, form, take_out)
