"""Read both balances, check the funds, then write both balances back as numbers computed in Python.

**Mechanism.** One Read Committed transaction: ``SELECT`` the two balances (no locks), refuse with
409 when the payer holds too little, pause (the race window), ``UPDATE`` both rows to the new
absolute values, insert the ledger row, commit. The writes are all-or-nothing and made in
account-id order, so a reader never sees half a transfer and opposite transfers do not deadlock.

**Why it fails.** Nothing ties the read to the write. Two transfers touching account 3 both read
1000; one writes 990, the other (after waiting for the first's row lock, then overwriting its
row) writes 1005. The first debit is gone, but its ledger row is not: the bank's total changes
and account 3 no longer matches its ledger. Threads, processes and replicas alike: the balances
are shared in Postgres, the arithmetic happens in each request, and a transaction at Read
Committed does not make a read-then-write atomic. (Every balance it writes is one it read, less
a checked debit or plus a credit, so none goes below zero: money is lost or made instead.)

**Anomalies:** imbalance (money created or destroyed) and mismatched accounts (lost updates) under
any concurrency.
"""

from racelab.scenarios.transfer.stores import PostgresTransfer

STRATEGY = PostgresTransfer("db-unsafe", "read both balances, then write both as values computed in Python")
