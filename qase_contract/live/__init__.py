"""Live deliveries: the receiver (a WSGI application), its server, the forwarder and the sender.

``create_app()`` builds the receiver from the environment for any WSGI server (gunicorn);
``qase-contract listen`` serves it with waitress (``pip install 'qase-contract[listen]'``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.live._answers import AnswerPolicy
    from qase_contract.live._app import create_app
    from qase_contract.live._receiver import Receiver

__all__ = [
    "AnswerPolicy",
    "Receiver",
    "create_app",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "AnswerPolicy": "._answers",
        "Receiver": "._receiver",
        "create_app": "._app",
    },
)
