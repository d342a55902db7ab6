"""What a client may ask of the oncall scenario, and the refusals every strategy shares.

``POST /api/oncall/<strategy>/off-call`` with ``{"shift": <id>, "doctor": <id>}``. Arguments are
checked here before any store is touched: malformed input is a 400
(:class:`~racelab.core.scenario.BadInput`), ids no reset can create a 404 (:class:`UnknownDoctor`).
The strategies refuse the rest, always before anything is written: a doctor already off call
(:class:`NotOnCall`), or the last doctor on call of the shift (:class:`LastOnCall`), both 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import BadInput, only_fields, shown
from racelab.core.strategy import Refused

DEFAULT_SHIFTS = 100
MAX_SHIFTS = 1000
DEFAULT_DOCTORS = 50
MAX_DOCTORS = 1000
FIELDS = ("shift", "doctor")


class UnknownDoctor(Refused):
    """No such doctor in this shift (shifts run from 0 to ``shifts``, doctors from 0 to ``doctors``, exclusive)."""

    status = 404

    def __init__(self, shift: int, doctor: int) -> None:
        super().__init__(
            "unknown_doctor",
            f"shift {shift} has no doctor {doctor}; shifts and doctors are numbered from 0 to the lab's `shifts` "
            "and `doctors` parameters minus one (see POST /api/lab/reset); nothing was written",
            shift=shift,
            doctor=doctor,
        )


class NotOnCall(Refused):
    """The doctor is already off call: there is nothing to change."""

    status = 409

    def __init__(self, shift: int, doctor: int) -> None:
        super().__init__(
            "not_on_call",
            f"doctor {doctor} is not on call in shift {shift}; nothing was written",
            shift=shift,
            doctor=doctor,
        )


class LastOnCall(Refused):
    """Going off call would leave the shift with nobody on call: the one refusal the rule demands."""

    status = 409

    def __init__(self, shift: int, doctor: int) -> None:
        super().__init__(
            "last_on_call",
            f"doctor {doctor} is the last one on call in shift {shift}: at least one must stay; nothing was written",
            shift=shift,
            doctor=doctor,
        )


def _id(body: Mapping[str, Any], name: str, high: int) -> int:
    value = body.get(name)
    if value is None:
        raise BadInput(f"{name} is required: a whole number from 0")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number from 0, got {shown(value)}")
    if value < 0:
        raise BadInput(f"{name} must be 0 or more, got {value}")
    return value


def parse_off_call(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body as the strategies' arguments. Malformed input (400) is reported before an
    unknown doctor (404); ids beyond any reset's range are unknown without asking the store."""
    only_fields(body, FIELDS, 'going off call takes "shift" and "doctor"')
    shift = _id(body, "shift", MAX_SHIFTS)
    doctor = _id(body, "doctor", MAX_DOCTORS)
    if shift >= MAX_SHIFTS or doctor >= MAX_DOCTORS:
        raise UnknownDoctor(shift, doctor)
    return {"shift": shift, "doctor": doctor}


def lock_keys(op: str, args: Mapping[str, Any]) -> list[str]:
    """A guard would serialise the requests of one shift: the rule is about the whole shift."""
    return [f"shift-{args['shift']}"]
