"""**I charged a card, the request timed out, I retried: was the customer charged twice?**

A client that gets no answer cannot know whether its payment went through, so it sends it
again; and a timeout, a double-click or a redelivered message often sends the copy while the
original is still being processed. Without protection every copy is a new charge. The standard
protection is an *idempotency key*: the client names the logical payment (header
``Idempotency-Key``), sends the same key on every retry, and the server charges once per key and
answers every copy with the same payment id (``Idempotent-Replayed: true`` on the replays).

The workload sends every logical payment as three identical copies at the same instant (16
payments of 3 copies in a burst of 48). That makes the difference plain: ignoring the key gives
three charges and three payment ids per payment (it fails even one request at a time: no race is
needed to charge a retry twice); handling the key with a lookup-then-insert gives duplicates for
the copies that overlap (the idempotency handling is itself a check-then-insert, with the race
of a sign-up); claiming the key race-free (a unique key claimed with ``INSERT ... ON CONFLICT``,
the answer stored with the charge in one transaction, or an advisory lock on the key) gives
exactly one charge per key and one answer for all its copies. The checker counts charges beyond
the first per key, keys answered with different payment ids, acknowledged payments that
vanished, and charges nobody asked for.
"""

from racelab.core.scenario import Operation, Scenario
from racelab.scenarios.payment.checker import ANOMALIES, check
from racelab.scenarios.payment.operations import HEADER, MAX_AMOUNT, lock_keys, parse_charge
from racelab.scenarios.payment.workload import PaymentWorkload

SCENARIO = Scenario(
    name="payment",
    title="retried payments: is the customer charged twice?",
    question="I charged a card, the request timed out, I retried: was the customer charged twice?",
    operations={
        "charge": Operation(
            "charge",
            f'charge a card: {{"amount": 1-{MAX_AMOUNT}}} with the header {HEADER}: <1-64 of A-Z a-z 0-9 _ . ->, '
            "the same on every retry; returns the payment id, the same one for every copy "
            "(Idempotent-Replayed: true on a replay; 422 idempotency_key_reused: nothing written)",
            parse=parse_charge,
            reads_headers=(HEADER,),
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=PaymentWorkload(),
    lock_keys=lock_keys,
    rank=50,
)
