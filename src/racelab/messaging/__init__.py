"""Work sent through RabbitMQ to one consumer process: the lab's message-queue answer to races.

A request publishes "do this operation" to one queue and waits for the reply (RPC over RabbitMQ's
direct reply-to); the queue worker (:mod:`racelab.messaging.worker`, the ``queue-worker``
service) takes one message at a time and runs the strategy's serialised code. Whatever that code
does, no two calls of it ever overlap, because there is only one consumer taking one message at
a time.
"""

QUEUE = "racelab.operations"
# Longest a request waits for its reply. Below nginx's proxy_read_timeout (60 s), so the client
# always gets the app's own JSON answer; a message nobody took by then expires in the broker.
REPLY_TIMEOUT_S = 10.0
