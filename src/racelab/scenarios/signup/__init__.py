"""**If two people sign up with the same username at the same instant, do both get an account?**

Sign-up is the classic check-then-insert: look the username up, refuse it if taken, otherwise
create the account. Each step is fine on its own; the sequence is not. Requests for one name that
arrive together all run their check before any of them has inserted, all find the name free, and
all create an account. Two people are told "your account is created" for one username, and the
table holds two rows for it: logins, password resets and payouts then pick one of them, and the
other person's account is silently someone else's.

The workload makes it visible: each burst races on eight fresh names, six callers on each. A
correct strategy creates one account per name and refuses the rest with a clean 409
``username_taken``; the checker counts duplicate rows per name in the final state, names
acknowledged to more than one caller, acknowledged accounts that vanished, and rows nobody asked
for. The fixes show *prevent* versus *protect*: a lock (``threading.Lock`` holds within one
process only; an advisory lock in Postgres holds everywhere) makes the checks take turns, while
a ``UNIQUE`` constraint (or Redis's ``SET NX``) lets the race happen and has the store refuse its
harm, for every code path that writes accounts.
"""

from racelab.core.scenario import Operation, Scenario
from racelab.scenarios.signup.checker import ANOMALIES, check
from racelab.scenarios.signup.operations import lock_keys, parse_register
from racelab.scenarios.signup.workload import SignupWorkload

SCENARIO = Scenario(
    name="signup",
    title="sign-ups: can two people get one username?",
    question="If two people sign up with the same username at the same instant, do both get an account?",
    operations={
        "register": Operation(
            "register",
            'create an account: {"username": 1-64 of A-Z a-z 0-9 _ . -}; returns the account id '
            "(409 username_taken: nothing written)",
            parse=parse_register,
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=SignupWorkload(),
    lock_keys=lock_keys,
    rank=40,
)
