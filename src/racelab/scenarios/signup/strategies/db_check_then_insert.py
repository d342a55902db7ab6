"""``SELECT`` whether the name exists, then ``INSERT`` the account, into a table with no unique constraint.

**Mechanism.** The sign-up handler everyone writes first, in one Read Committed transaction as a
web framework's request usually is: look the username up, answer 409 ``username_taken`` if a row
has it, otherwise pause (the race window), insert the account and commit, returning its id.
Nothing in the table says a username may appear only once.

**Why it fails.** The check and the insert are two statements, and the transaction does not tie
them together: a row another transaction is inserting is invisible until it commits, and no lock
is taken on a row that does not exist yet. Six requests for ``alice`` arriving together
(threads, processes or replicas alike) all run their ``SELECT`` before any ``INSERT`` has
committed, all find the name free, and all insert: six accounts named ``alice``, six callers told
"your account is created". Repeatable Read would not help either (each transaction checks its
own snapshot); only ``SERIALIZABLE`` would notice the conflict, and abort all but one.

**Anomalies:** duplicate rows for one username, and the same username acknowledged to several
callers (``duplicate_rows``, ``duplicate_acks``) under any concurrency.
"""

from racelab.scenarios.signup.stores import PostgresSignup

STRATEGY = PostgresSignup("db-check-then-insert", "SELECT whether the name exists, then INSERT (no unique constraint)")
