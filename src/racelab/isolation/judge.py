"""From what the sessions observed to a verdict: was the anomaly seen, and if not, what stopped it.

Pure functions over an :class:`~racelab.isolation.model.Observation`. The anomaly checks in
:mod:`racelab.isolation.anomalies` are built from the helpers here: which transactions committed
and in which order, what each one wrote, the states a serial execution passes through, and whether
a transaction's reads fit any of them. How an anomaly was prevented is read off the same records:
a step seen waiting for another session's lock (*blocked*), a transaction refused with a
serialization failure or a deadlock (*aborted*), or neither: every read simply saw committed data
from one consistent point (*consistent read*).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import permutations

from racelab.isolation.model import REFUSALS, Anomaly, Level, Observation, Record, Rows, show_rows
from racelab.isolation.results import CellResult

# --- transactions -------------------------------------------------------------------------------


def committed(obs: Observation) -> list[str]:
    """The sessions whose commit succeeded, in commit order."""
    return [r.step.session for r in obs.records if r.step.kind == "commit" and r.ok]


def aborted(obs: Observation) -> list[str]:
    done = set(committed(obs))
    return [s for s in obs.sessions if s not in done]


def writes(obs: Observation, session: str) -> list[tuple[int, int]]:
    """Every (id, value) the session's successful writes changed, in order."""
    return [
        (row, value)
        for r in obs.records
        if r.step.session == session and r.step.kind == "write" and r.ok
        for row, value in (r.rows or {}).items()
    ]


def last_writes(obs: Observation, session: str) -> Rows:
    """What the session left in each row it wrote (its final value per row)."""
    return dict(writes(obs, session))


def reads(obs: Observation, session: str) -> list[Record]:
    return [r for r in obs.records if r.step.session == session and r.step.kind == "read" and r.ok]


def apply(state: Rows, sessions: Iterable[str], obs: Observation) -> Rows:
    out = dict(state)
    for session in sessions:
        out.update(last_writes(obs, session))
    return out


def selected(state: Rows, record: Record) -> Rows:
    """What ``record``'s read would have returned from ``state``."""
    where = record.step.where
    assert where is not None, f"read {record.step.text!r} has no predicate"
    return {row: value for row, value in state.items() if where(row, value)}


def prefixes(obs: Observation, without: str) -> list[tuple[str, Rows]]:
    """The committed states another session could see: the initial one, then after each commit
    (``without``'s own commit left out), labelled for a message."""
    states = [("before any commit", dict(obs.initial))]
    done: list[str] = []
    for session in committed(obs):
        if session == without:
            continue
        done.append(session)
        states.append((f"after {' and '.join(done)} committed", apply(obs.initial, done, obs)))
    return states


def fits(record: Record, states: list[tuple[str, Rows]], own: Rows) -> list[int]:
    """Indexes of the states (with the reader's own earlier writes on top) its read matches."""
    return [i for i, (_, state) in enumerate(states) if selected({**state, **own}, record) == record.rows]


def own_writes_before(obs: Observation, record: Record) -> Rows:
    """The reader's own writes that precede this read (a transaction sees what it wrote)."""
    out: Rows = {}
    for r in obs.records:
        if r is record:
            break
        if r.step.session == record.step.session and r.step.kind == "write" and r.ok:
            out.update(r.rows or {})
    return out


# --- the shapes of anomaly ---------------------------------------------------------------------


def foreign_reads(obs: Observation) -> Iterator[tuple[Record, int, int, str]]:
    """(read, id, value, writer) for every value a session read that another session wrote."""
    for reader in obs.sessions:
        for record in reads(obs, reader):
            for row, value in (record.rows or {}).items():
                for writer in obs.sessions:
                    if writer != reader and (row, value) in writes(obs, writer):
                        yield record, row, value, writer


def read_of_aborted(obs: Observation) -> str | None:
    """A committed transaction read a value that only a rolled-back transaction ever wrote."""
    done = committed(obs)
    kept = {(row, value) for s in done for row, value in last_writes(obs, s).items()} | set(obs.initial.items())
    for record, row, value, writer in foreign_reads(obs):
        if record.step.session in done and writer not in done and (row, value) not in kept:
            return f"{record.step.session} read {row} => {value}, which {writer} wrote and then rolled back"
    return None


def read_of_intermediate(obs: Observation) -> str | None:
    """A committed transaction read a value its writer later overwrote before committing."""
    done = committed(obs)
    for record, row, value, writer in foreign_reads(obs):
        final = last_writes(obs, writer).get(row)
        if record.step.session in done and writer in done and final != value:
            return (
                f"{record.step.session} read {row} => {value}, which {writer} overwrote with {final} "
                "before it committed: a state that never existed"
            )
    return None


def circular_flow(obs: Observation) -> str | None:
    """Two committed transactions each read what the other wrote: information flowed both ways."""
    done = committed(obs)
    seen: dict[tuple[str, str], str] = {}
    for record, row, value, writer in foreign_reads(obs):
        reader = record.step.session
        if reader in done and writer in done:
            seen.setdefault((reader, writer), f"{reader} read {row} => {value} from {writer}")
    for (reader, writer), said in seen.items():
        if (writer, reader) in seen:
            return f"{said} and {seen[(writer, reader)]}: each saw the other's uncommitted write"
    return None


def final_mixes_writes(obs: Observation) -> str | None:
    """The final state is not what the committed transactions' writes give in any serial order."""
    done = committed(obs)
    if obs.final is None or len(done) < 2:
        return None
    if any(apply(obs.initial, order, obs) == obs.final for order in permutations(done)):
        return None
    owners = []
    for row, value in sorted(obs.final.items()):
        who = [s for s in done if last_writes(obs, s).get(row) == value]
        if who:
            owners.append(f"{row} => {value} from {who[0]}")
    return f"the final state mixes the transactions' writes ({'; '.join(owners)}): no serial order writes that"


def mixed_snapshot(obs: Observation, session: str) -> str | None:
    """The committed session's reads fit no single committed state: it saw part of another
    transaction's effects and not the rest."""
    if session not in committed(obs):
        return None
    states = prefixes(obs, session)
    records = reads(obs, session)
    matches = [set(fits(r, states, own_writes_before(obs, r))) for r in records]
    if not records or set.intersection(*matches):
        return None
    said = [
        f"{r.step.text} gave {show_rows(r.rows or {}) or 'no rows'} ({where(m, states)})"
        for r, m in zip(records, matches, strict=True)
    ]
    return f"{session}'s reads fit no one state: " + "; ".join(said)


def vanishing(obs: Observation, session: str) -> str | None:
    """Each read of the session saw one committed state, and never went back to an earlier one:
    otherwise a transaction it had observed vanished (or a read saw half of one)."""
    if session not in committed(obs):
        return None
    states = prefixes(obs, session)
    position = 0
    for record in reads(obs, session):
        fit = fits(record, states, own_writes_before(obs, record))
        if not fit:
            return (
                f"{session} {record.step.text} gave {show_rows(record.rows or {})}: part of one transaction's "
                "writes without the rest, a state no commit order passes through"
            )
        later = [i for i in fit if i >= position]
        if not later:
            return (
                f"{session} {record.step.text} gave {show_rows(record.rows or {})}, {states[fit[0]][0]}, after an "
                f"earlier read had seen the state {states[position][0]}: what it saw vanished"
            )
        position = later[0]
    return None


def lost_update(obs: Observation) -> str | None:
    """Two committed transactions each read a row and then wrote it, neither seeing the other's
    write: whichever committed last overwrote the first one's update."""
    done = committed(obs)
    for i, first in enumerate(done):
        for second in done[i + 1 :]:
            for row in set(last_writes(obs, first)) & set(last_writes(obs, second)):
                saw = {s: read_before_write(obs, s, row) for s in (first, second)}
                if None in saw.values():
                    continue
                if saw[first] != last_writes(obs, second)[row] and saw[second] != last_writes(obs, first)[row]:
                    final = obs.final.get(row) if obs.final else None
                    return (
                        f"{first} read {row} => {saw[first]} and {second} read {row} => {saw[second]}, both wrote it "
                        f"and both committed: the final {row} => {final} keeps one update, the other is lost"
                    )
    return None


def read_before_write(obs: Observation, session: str, row: int) -> int | None:
    """The value of ``row`` the session last read before it first wrote the row."""
    seen = None
    for r in obs.records:
        if r.step.session != session or not r.ok:
            continue
        if r.step.kind == "write" and row in (r.rows or {}):
            return seen
        if r.step.kind == "read" and row in (r.rows or {}):
            seen = (r.rows or {})[row]
    return None


def not_serializable(obs: Observation) -> str | None:
    """No serial order of the committed transactions explains what each of them read: in every
    order, some transaction should have seen a write it did not see."""
    done = committed(obs)
    if len(done) < 2:
        return None
    reasons = []
    for order in permutations(done):
        why = serial_mismatch(obs, order)
        if why is None:
            return None
        reasons.append(f"{' then '.join(order)}: {why}")
    return "no serial order explains the reads (" + "; ".join(reasons) + ")"


def serial_mismatch(obs: Observation, order: tuple[str, ...]) -> str | None:
    """Why running the committed transactions one after another in ``order`` would not have given
    the reads they made (``None``: it would)."""
    state = dict(obs.initial)
    for session in order:
        for r in obs.records:
            if r.step.session != session or not r.ok:
                continue
            if r.step.kind == "write":
                state.update(r.rows or {})
            elif r.step.kind == "read":
                expected = selected(state, r)
                if expected != r.rows:
                    return (
                        f"{session} {r.step.text} would have seen {show_rows(expected) or 'no rows'}, "
                        f"not {show_rows(r.rows or {}) or 'no rows'}"
                    )
    if obs.final is not None and state != obs.final:
        return f"the final state would be {show_rows(state)}"
    return None


def where(matched: set[int], states: list[tuple[str, Rows]]) -> str:
    if not matched:
        return "no committed state"
    return " or ".join(states[i][0] for i in sorted(matched))


# --- the verdict -------------------------------------------------------------------------------


def how_prevented(obs: Observation) -> tuple[str, str]:
    """(mechanism, sentence): blocked and/or aborted, or a consistent read when neither happened."""
    blocked = any(r.blocked for r in obs.records)
    refused = any(r.error in REFUSALS for r in obs.records)
    mechanisms = (["blocked"] if blocked else []) + (["aborted"] if refused else [])
    if not mechanisms:
        return "consistent read", "every read saw committed data from one consistent point; nothing waited or failed"
    said = []
    for r in obs.records:
        parts = [f"waited for {' and '.join(r.blocked_by) or 'another session'}'s lock"] if r.blocked else []
        if r.error in REFUSALS:
            parts.append(f"failed: {r.error} {REFUSALS[r.error or '']}")
        if parts:
            said.append(f"{r.step.session} {r.step.text} " + ", then ".join(parts))
    return ", ".join(mechanisms), "; ".join(said)


def unexpected_error(obs: Observation) -> Record | None:
    """A step that failed with something other than a serialization failure or deadlock."""
    return next((r for r in obs.records if r.error is not None and r.error not in REFUSALS), None)


def judge(anomaly: Anomaly, level: Level, obs: Observation) -> CellResult:
    trace = [r.trace() for r in obs.records]
    if obs.final is not None:
        trace.append(f"final state: {show_rows(obs.final)}")
    documented = anomaly.documented(level)

    def cell(outcome: str, how: str, detail: str) -> CellResult:
        return CellResult(level, outcome, how, detail, documented, trace)

    broken = unexpected_error(obs)
    if broken is not None:
        return cell("unknown", "", f"{broken.step.session} {broken.step.text} failed: {broken.error} {broken.message}")
    if obs.final is None:
        return cell("unknown", "", "the table could not be read at the end")
    seen = anomaly.check(obs)
    if seen is not None:
        return cell("anomaly", "", seen)
    how, detail = how_prevented(obs)
    return cell("prevented", how, detail)
