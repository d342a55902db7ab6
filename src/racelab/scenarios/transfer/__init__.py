"""**If two transfers between the same accounts run at once, can money be created or destroyed?**

A bank of a few accounts, each starting with the same balance. A transfer moves an amount from one
account to another: it reads both balances, refuses when the payer holds too little, writes both
new balances and records the transfer in a ledger, all in one database transaction. The
transaction makes the writes all-or-nothing, but not the *read*: two transfers touching the same
account can both read its old balance, and the one that commits second writes a balance computed
from a number that is already gone. The first transfer's debit or credit vanishes although its
ledger row stays, so the bank's total no longer adds up (money created or destroyed) and balances
no longer match the ledger. (Writing ``balance = balance - amount`` instead, after checking the
funds with a plain read, conserves money but lets two payments that each saw enough funds overdraw
the account together: the checker counts overdrafts too.)

The fixes show the usual trade-offs: locks taken in a different order by each transfer deadlock
(Postgres detects the cycle and aborts one, at the price of ``deadlock_timeout`` and a retry);
locks taken in account-id order, a conditional ``UPDATE`` or an advisory lock do not;
``SERIALIZABLE`` holds by aborting and retrying; a ``threading.Lock`` holds only within one process.
The checker reads balances and ledger from one snapshot, so it can be read while transfers run.
"""

from racelab.core.scenario import Operation, Param, Scenario
from racelab.scenarios.transfer.checker import ANOMALIES, check
from racelab.scenarios.transfer.operations import (
    DEFAULT_ACCOUNTS,
    DEFAULT_BALANCE,
    MAX_ACCOUNTS,
    MAX_AMOUNT,
    MAX_BALANCE,
    lock_keys,
    parse_transfer,
)
from racelab.scenarios.transfer.workload import TransferWorkload

SCENARIO = Scenario(
    name="transfer",
    title="money transfers: can two at once create or destroy money?",
    question="If two transfers between the same accounts run at once, can money be created or destroyed?",
    operations={
        "transfer": Operation(
            "transfer",
            f'move money: {{"from": id, "to": id, "amount": 1-{MAX_AMOUNT}}}; returns the transfer id '
            "(404 unknown_account, 409 insufficient_funds: nothing written)",
            parse=parse_transfer,
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=TransferWorkload(),
    lock_keys=lock_keys,
    params={
        "accounts": Param(DEFAULT_ACCOUNTS, 2, MAX_ACCOUNTS, "number of accounts, numbered from 1"),
        "balance": Param(DEFAULT_BALANCE, 0, MAX_BALANCE, "starting balance of every account"),
    },
    rank=30,
)
