"""The contract as one OpenAPI 3.1 document and as one AsyncAPI 3.0 document.

Both are built from the named components (:mod:`._components`): each event's delivery schema
and every shared definition once, under ``components/schemas``, with ``$ref``s between them.
``open_rendering`` applies :func:`~qase_contract.contract.opened` to every component, the
tolerant rendering that accepts drift. The documents hold no time or path of this machine, so
the same schemas give the same bytes.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the components go in as they are. AsyncAPI's
default schema format is a superset of draft-07, which ignores the keywords beside a ``$ref``
and has no ``unevaluatedProperties``; :func:`draft07` rewrites those two forms into their
draft-07 equivalents (the suite proves the verdicts stay the same).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson

from qase_contract.contract._bundle import DRAFT_2020_12, opened
from qase_contract.contract._catalog import EVENTS_BY_NAME
from qase_contract.contract._components import COMPONENTS, Components, components
from qase_contract.contract._inventory import example_variants
from qase_contract.contract._keywords import ANNOTATIONS, DATA_KEYWORDS, SCHEMA_MAPS
from qase_contract.contract._provenance import contract_version, provenance
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import BundleError

SECRET_HEADER = "X-Qase-Secret"
_SECRET = (
    "The webhook's secret, sent as it is (no signature) on every request when a secret is set on the "
    "webhook in Qase, and absent otherwise. Compare it with yours in constant time."
)
_ANSWER = (
    "Any 2xx status acknowledges the delivery. Answer within 15 seconds (and do slow work "
    "afterwards): Qase may disable a webhook whose endpoint does not answer in time, and disables "
    "one that has had no successful delivery for 2 days."
)
_ABOUT = (
    "The body of every Qase webhook delivery: the envelope and the payload of each of its events, "
    "as checked by qase-contract. A delivery is one JSON object POSTed to the endpoint configured "
    "on the webhook; an event name outside this list is drift, not an error."
)
#: 2019-09 and 2020-12 keywords with no draft-07 counterpart that :func:`draft07` would rewrite.
_NOT_IN_DRAFT07 = frozenset(
    {"prefixItems", "dependentSchemas", "dependentRequired", "unevaluatedItems", "minContains", "maxContains"}
)


def openapi(schema_set: SchemaSet, open_rendering: bool = False) -> dict[str, Any]:
    """An OpenAPI 3.1 document: one entry under ``webhooks`` per event (POST, the delivery as the
    request body, the secret header, the answer Qase expects)."""
    named = _components(schema_set, open_rendering)
    webhooks = {}
    for event, name in named.deliveries.items():
        schema = named.schemas[name]
        examples = {
            variant: {"summary": f"{event}, {variant}", "value": value}
            for variant, value in _examples(schema_set, event).items()
        }
        media: dict[str, Any] = {"schema": {"$ref": COMPONENTS + name}}
        if examples:
            media["examples"] = examples
        operation: dict[str, Any] = {
            "operationId": _camel(name),
            "summary": _summary(event, schema),
            "description": schema.get("description", f"A {event} delivery."),
        }
        spec = EVENTS_BY_NAME.get(event)
        if spec is not None:
            operation["tags"] = [spec.entity]
        operation |= {
            "parameters": [{"$ref": "#/components/parameters/QaseSecret"}],
            "requestBody": {"required": True, "content": {"application/json": media}},
            "responses": {"2XX": {"$ref": "#/components/responses/Received"}},
        }
        webhooks[event] = {"post": operation}
    return {
        "openapi": "3.1.0",
        "info": _info(schema_set, open_rendering),
        "jsonSchemaDialect": DRAFT_2020_12,
        "tags": _tags(named),
        "webhooks": webhooks,
        "components": {
            "schemas": named.schemas,
            "parameters": {
                "QaseSecret": {
                    "name": SECRET_HEADER,
                    "in": "header",
                    "required": False,
                    "description": _SECRET,
                    "schema": {"type": "string"},
                }
            },
            "responses": {"Received": {"description": _ANSWER}},
        },
    }


def asyncapi(schema_set: SchemaSet, open_rendering: bool = False) -> dict[str, Any]:
    """An AsyncAPI 3.0 document: one message per event, received on the consumer's endpoint
    (one channel, one ``receive`` operation per event), the secret as a security scheme and a
    message header."""
    named = _components(schema_set, open_rendering)
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event, name in named.deliveries.items():
        schema = named.schemas[name]
        key = _camel(name)
        message: dict[str, Any] = {
            "name": event,
            "title": event,
            "summary": _summary(event, schema),
            "description": schema.get("description", f"A {event} delivery."),
            "payload": {"$ref": COMPONENTS + name},
            "traits": [{"$ref": "#/components/messageTraits/qaseDelivery"}],
        }
        examples = [
            {"name": variant, "payload": value} for variant, value in _examples(schema_set, event).items()
        ]
        if examples:
            message["examples"] = examples
        messages[key] = message
        operations["receive" + name] = {
            "action": "receive",
            "channel": {"$ref": "#/channels/webhook"},
            "summary": f"Receive a {event} delivery.",
            "messages": [{"$ref": f"#/channels/webhook/messages/{key}"}],
            "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": _info(schema_set, open_rendering),
        "defaultContentType": "application/json",
        "servers": {
            "consumer": {
                "host": "{host}",
                "protocol": "https",
                "description": "Your endpoint, the URL configured on the webhook in Qase.",
                "variables": {
                    "host": {"default": "localhost:8000", "description": "Host and port of your endpoint."}
                },
                "security": [{"$ref": "#/components/securitySchemes/qaseSecret"}],
            }
        },
        "channels": {
            "webhook": {
                "address": "/",
                "title": "Qase webhook deliveries",
                "description": "The path of the endpoint URL set on the webhook; every event arrives there.",
                "servers": [{"$ref": "#/servers/consumer"}],
                "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
            }
        },
        "operations": operations,
        "components": {
            "schemas": draft07(named.schemas),
            "messages": messages,
            "messageTraits": {
                "qaseDelivery": {
                    "contentType": "application/json",
                    "headers": {
                        "type": "object",
                        "properties": {SECRET_HEADER: {"type": "string", "description": _SECRET}},
                    },
                    "bindings": {"http": {"bindingVersion": "0.3.0"}},
                }
            },
            "securitySchemes": {
                "qaseSecret": {
                    "type": "httpApiKey",
                    "name": SECRET_HEADER,
                    "in": "header",
                    "description": _SECRET,
                }
            },
        },
    }


def draft07(schemas: dict[str, Any]) -> dict[str, Any]:
    """The components with each 2020-12 form rewritten as draft-07 reads it the same way:
    ``unevaluatedProperties: false`` over a ``$ref`` to a plain object becomes that object's
    properties, closed with ``additionalProperties: false``; a ``$ref`` with other keywords
    beside it (ignored by draft-07) moves into an ``allOf``."""
    return {name: _Draft07(schemas, name).schema(schema) for name, schema in schemas.items()}


class _Draft07:
    def __init__(self, schemas: dict[str, Any], name: str) -> None:
        self._schemas = schemas
        self._name = name

    def schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        unsupported = _NOT_IN_DRAFT07 & set(node)
        if unsupported:
            raise self._error(f"{', '.join(sorted(unsupported))} has no draft-07 form")
        if "unevaluatedProperties" in node:
            node = self._closed(node)
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key in SCHEMA_MAPS and isinstance(value, dict):
                result[key] = {name: self.schema(subschema) for name, subschema in value.items()}
            elif key in DATA_KEYWORDS:
                result[key] = copy.deepcopy(value)
            else:
                result[key] = self.schema(value)
        if "$ref" in result and set(result) - ANNOTATIONS - {"$ref"}:
            result = {key: value for key, value in result.items() if key != "$ref"}
            result["allOf"] = [{"$ref": node["$ref"]}, *result.get("allOf", [])]
        return result

    def _closed(self, node: dict[str, Any]) -> dict[str, Any]:
        """``node`` closed with ``additionalProperties`` instead of ``unevaluatedProperties``."""
        if node["unevaluatedProperties"] is not False:
            raise self._error("only unevaluatedProperties: false has a draft-07 form")
        merged = {key: value for key, value in node.items() if key not in ("unevaluatedProperties", "$ref")}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._schemas.get(ref.removeprefix(COMPONENTS))
            plain = isinstance(target, dict) and set(target) <= ANNOTATIONS | {
                "type",
                "properties",
                "required",
            }
            if not plain or not isinstance(target, dict):
                raise self._error(f"unevaluatedProperties over {ref}, which is not a plain object schema")
            merged.setdefault("type", target.get("type", "object"))
            merged["properties"] = {**target.get("properties", {}), **node.get("properties", {})}
            required = [*target.get("required", []), *node.get("required", [])]
            if required:
                merged["required"] = list(dict.fromkeys(required))
        applicators = {
            "allOf",
            "anyOf",
            "oneOf",
            "not",
            "if",
            "$ref",
            "patternProperties",
            "additionalProperties",
        }
        if set(merged) & applicators:
            raise self._error("unevaluatedProperties beside other applicators has no draft-07 form")
        merged["additionalProperties"] = False
        return merged

    def _error(self, reason: str) -> BundleError:
        return BundleError(f"{self._name}: {reason}; the AsyncAPI export writes draft-07 schemas")


def _components(schema_set: SchemaSet, open_rendering: bool) -> Components:
    named = components(schema_set)
    if not open_rendering:
        return named
    return Components(
        {name: opened(schema) for name, schema in named.schemas.items()},
        named.deliveries,
        named.envelope,
        named.origins,
    )


def _info(schema_set: SchemaSet, open_rendering: bool) -> dict[str, Any]:
    rendering = (
        "Tolerant rendering (--open): unknown keys and values outside closed sets are accepted, as the "
        "drift they are. "
        if open_rendering
        else "Closed rendering: a key or value the contract does not know fails the schema; qase-contract "
        "reports it as drift, not as a violation. "
    )
    return {
        "title": "Qase webhooks",
        "version": contract_version(),
        "description": f"{_ABOUT}\n\n{rendering}{provenance(schema_set)}.",
        "x-qase-contract": {
            "contract": contract_version(),
            "rendering": "open" if open_rendering else "closed",
            "sources": list(schema_set.sources),
        },
    }


def _tags(named: Components) -> list[dict[str, str]]:
    entities = dict.fromkeys(
        EVENTS_BY_NAME[event].entity for event in named.deliveries if event in EVENTS_BY_NAME
    )
    return [{"name": entity} for entity in entities]


def _summary(event: str, schema: dict[str, Any]) -> str:
    spec = EVENTS_BY_NAME.get(event)
    return spec.summary if spec is not None else str(schema.get("title", event))


def _examples(schema_set: SchemaSet, event: str) -> dict[str, Any]:
    found = {}
    for variant, path in example_variants(schema_set, event).items():
        try:
            found[variant] = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as error:
            raise BundleError(f"{path}: the example cannot be read as JSON: {error}") from None
    return found


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


#: Document kind -> builder, for the command line.
BUILDERS: dict[str, Callable[[SchemaSet, bool], dict[str, Any]]] = {"openapi": openapi, "asyncapi": asyncapi}
