"""The queue worker: the one consumer of the work queue (``python -m racelab.messaging.worker``).

It takes one message at a time (``prefetch_count=1``, acknowledged after the reply), runs the
named strategy's serial code and replies to the caller. One consumer taking one message at a time
is the whole protection: two operations never overlap, whatever the code inside does.

``--check`` exits 0 when a consumer is attached to the queue (the services' health check).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from typing import Any

import pika
import pika.exceptions

from racelab import scenarios
from racelab.app.resources import ProcessResources
from racelab.core.context import Ctx
from racelab.messaging import QUEUE
from racelab.messaging.rpc import QueueClient, QueueUnavailable, connection_parameters, declare
from racelab.messaging.serial import Serial, answer
from racelab.settings import AppSettings

log = logging.getLogger("racelab.queue-worker")
RECONNECT_S = 1.0  # between attempts while RabbitMQ is down: a restart of it costs about a second more


def handle(resources: ProcessResources, body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body)
        strategy = scenarios.get(str(message["strategy"]))
        if not isinstance(strategy, Serial):
            return {"error": f"{strategy.key} is not a queued strategy"}
        ctx = Ctx(resources, float(message.get("race_window_s", 0.0)))
        return answer(ctx, strategy, str(message["op"]), dict(message.get("args", {})))
    except Exception as exc:  # the caller gets a reply whatever failed, and the log the traceback
        log.exception("operation failed")
        return {"error": f"the queue worker failed: {type(exc).__name__}"}


def serve(resources: ProcessResources, url: str) -> None:
    connection = pika.BlockingConnection(connection_parameters(url))
    channel = connection.channel()
    declare(channel)
    channel.basic_qos(prefetch_count=1)

    def on_message(ch: Any, method: Any, properties: Any, body: bytes) -> None:
        reply = handle(resources, body)
        if properties.reply_to:
            ch.basic_publish(
                exchange="",
                routing_key=properties.reply_to,
                body=json.dumps(reply),
                properties=pika.BasicProperties(correlation_id=properties.correlation_id),
            )
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_consume(queue=QUEUE, on_message_callback=on_message)
    log.info("consuming %s", QUEUE)
    channel.start_consuming()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = AppSettings.from_env()
    if argv == ["--check"]:
        try:
            return 0 if QueueClient(settings.amqp_url).consumers() >= 1 else 1
        except (QueueUnavailable, pika.exceptions.AMQPError):
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    resources = ProcessResources(settings)
    while True:
        try:
            serve(resources, settings.amqp_url)
        except pika.exceptions.AMQPConnectionError as exc:
            # RabbitMQ is starting or restarting: try again, as compose's depends_on cannot wait
            # for the AMQP listener itself.
            log.warning("RabbitMQ unavailable (%s); retrying in %.0fs", type(exc).__name__, RECONNECT_S)
            time.sleep(RECONNECT_S)


if __name__ == "__main__":
    sys.exit(main())
