"""Write values: turn the loose `data` an agent sends into Attio's `{api_slug: [value, …]}` payload.

Keys may be an attribute slug, id or title (case-insensitive). Each value is checked and coerced against the
live schema (`TargetSchema`) by a per-type table (`TYPES`: text, number, currency, select, status, references,
actors, domains, emails, phones, names, locations, dates); every problem becomes an `InputError` naming the
field and the next step. `None` or `[]` clears an attribute (`[]` on the wire).

Cardinality: a multiselect attribute always gets a list (a scalar is wrapped); a single-value attribute
given a one-element list is unwrapped (`industry: ["Technology"]`), a longer list is an error. Every written
value is sent as an array, as Attio's OpenAPI spec types it; record references always are.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from attio_mcp.workspace.dates import DATE_WORDS, parse_words, today_is
from attio_mcp.workspace.errors import InputError, did_you_mean, format_choices
from attio_mcp.workspace.interpret import Interpreted, show

if TYPE_CHECKING:
    from attio_mcp.attio import WorkspaceMember
    from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "EMAIL_RE",
    "TYPES",
    "UUID_PATTERN",
    "UUID_RE",
    "TypeSpec",
    "host_of",
    "normalise_value",
    "parse_amount",
    "parse_number",
    "prepare_values",
    "refuse_append_clears",
    "require_uuid",
    "validate_all",
    "words_to_iso",
]

UUID_PATTERN = (
    r"(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"  # to embed in a larger pattern
)
UUID_RE = re.compile(rf"^{UUID_PATTERN}$")
_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
EMAIL_RE = _EMAIL_RE  # an email address as Attio validates it (roughly)
_HOST_RE = re.compile(r"^(?!-)[\w-]+(\.[\w-]+)+$")
_PLAIN_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MONEY_RE = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<sym>[$€£¥₹])?\s*(?P<num>[\d.,]+)\s*(?P<mult>[kKmMbB](?![A-Za-z]))?\s*"
    r"(?P<code>[A-Za-z]{3})?$"
)
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_SYMBOL_CODES = {"€": "EUR", "£": "GBP", "₹": "INR"}  # "$" and "¥" name several currencies
_TRUE, _FALSE = {"true", "yes", "y", "1", "on"}, {"false", "no", "n", "0", "off"}
LOCATION_KEYS = (
    "line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode", "country_code", "latitude", "longitude",
)  # fmt: skip
_LOCATION_ALIASES = {
    "address": "line_1", "street": "line_1", "city": "locality", "state": "region", "province": "region",
    "zip": "postcode", "zip_code": "postcode", "postal_code": "postcode", "country": "country_code",
    "lat": "latitude", "lng": "longitude", "lon": "longitude",
}  # fmt: skip
_REF_ALIASES = {"record_id": "target_record_id", "id": "target_record_id", "object": "target_object"}


def _fail(
    attr: AttrInfo, reason: str, *, hint: str | None = None, options: list[str] | None = None
) -> InputError:
    spec = TYPES.get(attr.type)
    return InputError(
        f"Invalid value for {attr.slug!r} ({attr.type}): {reason}.",
        field=attr.slug,
        hint=hint or (f"Expected {spec.expects}." if spec else None),
        options=options,
    )


def parse_number(value: Any) -> int | float | None:
    """A JSON number or a numeric string (`"1,250.5"`, `"3e4"`) as int/float; None when not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().replace("_", "")
    if _GROUPED_NUMBER_RE.match(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER_RE.match(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    number = float(text)
    return number if math.isfinite(number) else None


def parse_amount(value: Any, *, multipliers: bool = True) -> int | float | None:
    """A number, or an amount as people write it: ``"$50,000"``, ``"€2,500.50"``, ``"1.5M USD"`` and
    (``multipliers``) ``"50k"``."""
    number = parse_number(value)
    if number is not None or not isinstance(value, str):
        return number
    match = _MONEY_RE.match(value.strip())
    if match is None or (match["mult"] and not multipliers):
        return None
    number = parse_number(match["sign"] + match["num"])
    if number is None or not match["mult"]:
        return number
    scaled = number * _MULTIPLIERS[match["mult"].lower()]
    return int(scaled) if float(scaled).is_integer() else scaled


def _text(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    raise _fail(attr, f"got {type(v).__name__}")


def _number(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> int | float:
    number = parse_number(v)
    if number is None:
        raise _fail(attr, f"{v!r} is not a number")
    return number


def _currency(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> int | float:
    code = None
    if isinstance(v, Mapping):
        code = v.get("currency_code")
        v = v.get("currency_value", v.get("amount"))
    number = parse_number(v)
    if number is None and isinstance(v, str) and (match := _MONEY_RE.match(v.strip())):
        number = parse_amount(v, multipliers=False)  # "50k" is read only where it can be reported
        code = code or match["code"] or _SYMBOL_CODES.get(match["sym"] or "")
    if number is None:
        raise _fail(attr, f"{v!r} is not an amount")
    if code and attr.currency_code and str(code).upper() != attr.currency_code.upper():
        raise _fail(
            attr,
            f"currency {str(code).upper()} differs from the attribute's {attr.currency_code}",
            hint=f"Send the amount in {attr.currency_code}; the currency of an attribute cannot be set per value.",
        )
    return number


def _rating(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> int:
    number = parse_number(v)
    if number is None or number != int(number) or not 0 <= number <= 5:
        raise _fail(attr, f"{v!r} is not an integer from 0 to 5")
    return int(number)


def _checkbox(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise _fail(attr, f"{v!r} is not a boolean")


def _parse_when(attr: AttrInfo, v: Any) -> datetime | date:
    if isinstance(v, datetime | date):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)  # a bare year
    if not isinstance(v, str):
        raise _fail(attr, f"got {type(v).__name__}")
    text = v.strip()
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise _fail(attr, f"{v!r} is not an ISO 8601 date or time") from None


def _to_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    when = _parse_when(attr, v)
    return (_to_utc(when).date() if isinstance(when, datetime) else when).isoformat()


def _timestamp(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    when = _parse_when(attr, v)
    moment = _to_utc(when if isinstance(when, datetime) else datetime(when.year, when.month, when.day))
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _choice(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str | dict[str, str]:
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, f"{v!r} is not an option title")
    title = v.strip()
    if UUID_RE.match(title):  # an option or status id: Attio reads a bare string as a title
        return {"status" if attr.type == "status" else "option": title.lower()}
    if not attr.options:
        return title  # options unknown: Attio validates the title
    exact = [o for o in attr.options if o.lower() == title.lower()]
    loose = [o for o in attr.options if _squash(o) == _squash(title)]  # "won" -> "Won 🎉", "in-progress"
    if exact or len(loose) == 1:
        return (exact or loose)[0]
    close = did_you_mean(title, attr.options)
    kind = "status" if attr.type == "status" else "option"
    raise _fail(
        attr,
        f"unknown {kind} {title!r}" + (f"; did you mean {format_choices(close)}?" if close else ""),
        hint=f"Use one of the {kind} titles in options; titles are not created on write.",
        options=list(attr.options),
    )


def _record_ref(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> dict[str, Any]:
    allowed = attr.allowed_objects
    ask = f"Pass {{'target_object': <one of {format_choices(allowed)}>, 'target_record_id': <uuid>}}."
    if isinstance(v, Mapping):
        ref = {_REF_ALIASES.get(str(k), str(k)): val for k, val in v.items()}
        target = ref.get("target_object")
        if target is None:
            if len(allowed) != 1:
                raise _fail(attr, "target_object is missing", hint=ask)
            ref["target_object"] = target = allowed[0]
        if allowed and target not in allowed and not UUID_RE.match(str(target)):
            raise _fail(attr, f"{target!r} is not one of {format_choices(allowed)}", options=list(allowed))
        if "target_record_id" in ref and not isinstance(ref["target_record_id"], str):
            raise _fail(attr, "target_record_id must be a record id string")
        if len(ref) < 2:
            raise _fail(attr, "target_record_id is missing", hint=ask)
        return {"target_object": target, **{k: val for k, val in ref.items() if k != "target_object"}}
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, f"got {type(v).__name__}")
    text = v.strip()
    prefix, _, rest = text.partition(":")
    if rest and UUID_RE.match(rest) and not UUID_RE.match(text):  # "people:<uuid>" as flattened on read
        return _record_ref(attr, {"target_object": prefix, "target_record_id": rest}, _m)
    if UUID_RE.match(text):
        if len(allowed) != 1:
            raise _fail(
                attr, "this attribute can point at several objects, so a bare id is ambiguous", hint=ask
            )
        return {"target_object": allowed[0], "target_record_id": text}
    if "@" in text and "people" in allowed and _EMAIL_RE.match(text):
        return {"target_object": "people", "email_addresses": [{"email_address": text.lower()}]}
    if "companies" in allowed and "@" not in text and (host := _host(text)):
        return {"target_object": "companies", "domains": [{"domain": host}]}
    raise _fail(
        attr,
        f"{text!r} is not a record id",
        hint="Pass the target record's id (search for it first)"
        + (", a company domain" if "companies" in allowed else "")
        + (", a person's email" if "people" in allowed else "")
        + ".",
    )


def _read(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _member_fields(member: Any) -> tuple[str, str, str]:
    """(id, lower-cased email, lower-cased full name) of a WorkspaceMember model or raw dict."""
    member_id = _read(member, "workspace_member_id") or _read(_read(member, "id"), "workspace_member_id")
    name = f"{_read(member, 'first_name') or ''} {_read(member, 'last_name') or ''}".strip()
    return str(member_id or ""), str(_read(member, "email_address") or "").lower(), name.lower()


def _actor(attr: AttrInfo, v: Any, members: Sequence[WorkspaceMember]) -> dict[str, Any]:
    if isinstance(v, Mapping):
        if v.get("referenced_actor_id") or v.get("workspace_member_email_address"):
            return (
                {"referenced_actor_type": "workspace-member", **v} if "referenced_actor_id" in v else dict(v)
            )
        raise _fail(attr, "expected referenced_actor_id or workspace_member_email_address")
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, f"got {type(v).__name__}")
    key = v.strip().lower()
    if members:
        for member in members:
            member_id, email, name = _member_fields(member)
            if key in (member_id.lower(), email, name):
                return {"referenced_actor_type": "workspace-member", "referenced_actor_id": member_id}
        emails = [_member_fields(m)[1] for m in members]
        raise _fail(
            attr,
            f"no workspace member {v.strip()!r}",
            hint="Use a workspace member's email (see options) or id.",
            options=emails,
        )
    if UUID_RE.match(key):
        return {"referenced_actor_type": "workspace-member", "referenced_actor_id": key}
    if _EMAIL_RE.match(key):
        return {"workspace_member_email_address": key}
    raise _fail(attr, f"{v!r} is not a member email or id")


def _host(text: str) -> str | None:
    raw = text.strip().lower()
    parts = urlsplit(raw if "://" in raw else f"//{raw}")
    try:
        host = parts.hostname or ""
    except ValueError:
        return None
    host = host.removeprefix("www.").rstrip(".")
    return host if _HOST_RE.match(host) else None


def host_of(text: str) -> str | None:
    """The bare host a domain or URL names (``https://www.Acme.com/x`` -> ``acme.com``), or None."""
    return _host(text)


def _domain(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    host = _host(v) if isinstance(v, str) and "@" not in v else None
    if host is None:
        raise _fail(attr, f"{v!r} is not a domain or URL")
    return host


def _email(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    text = v.strip().removeprefix("mailto:") if isinstance(v, str) else ""
    if match := re.fullmatch(r".*<([^<>]+)>\s*", text):  # "Ada <ada@x.com>"
        text = match[1].strip()
    if not _EMAIL_RE.match(text):
        raise _fail(attr, f"{v!r} is not an email address")
    return text.lower()


def _phone(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str:
    region: str | None = "US"
    if isinstance(v, Mapping):
        region = v.get("country_code") or region
        v = v.get("original_phone_number") or v.get("phone_number")
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, f"{v!r} is not a phone number")
    import phonenumbers  # lazily: its metadata takes ~10 ms to import, paid by the first phone value only

    try:
        number = phonenumbers.parse(v.strip(), None if v.strip().startswith("+") else str(region).upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise _fail(attr, f"{v!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _personal_name(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> dict[str, str]:
    if isinstance(v, Mapping):
        first, last = str(v.get("first_name") or "").strip(), str(v.get("last_name") or "").strip()
        if not (first or last) and v.get("full_name"):
            return _personal_name(attr, str(v["full_name"]), _m)
        full = str(v.get("full_name") or "").strip() or " ".join(p for p in (first, last) if p)
        if not full:
            raise _fail(attr, "the name is empty")
        return {"first_name": first, "last_name": last, "full_name": full}
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, f"{v!r} is not a name")
    if "," in v:
        last, _, first = (p.strip() for p in v.partition(","))
    else:
        first, _, last = (p.strip() for p in v.strip().partition(" "))
    return {"first_name": first, "last_name": last, "full_name": " ".join(p for p in (first, last) if p)}


def _location(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> str | dict[str, Any]:
    if isinstance(v, str) and v.strip():
        return v.strip()
    if not isinstance(v, Mapping):
        raise _fail(attr, f"got {type(v).__name__}")
    loc: dict[str, Any] = dict.fromkeys(LOCATION_KEYS)
    for key, val in v.items():
        slot = _LOCATION_ALIASES.get(key, key)
        if slot not in loc:
            raise _fail(attr, f"unknown location key {key!r}", options=list(LOCATION_KEYS))
        loc[slot] = None if val is None else str(val).strip() or None
    if loc["country_code"]:
        loc["country_code"] = loc["country_code"].upper()
    return loc


def _passthrough(attr: AttrInfo, v: Any, _m: Sequence[WorkspaceMember]) -> Any:
    return v


Coercer = Callable[["AttrInfo", Any, Sequence["WorkspaceMember"]], Any]


@dataclass(frozen=True)
class TypeSpec:
    """How one attribute type is written: coercer, wrapper keys unwrapped first, and the expected form."""

    coerce: Coercer
    expects: str
    unwrap: tuple[str, ...] = ("value",)
    always_list: bool = False


TYPES: dict[str, TypeSpec] = {
    "text": TypeSpec(_text, "a string"),
    "number": TypeSpec(_number, "a number such as 42 or 0.65"),
    "currency": TypeSpec(_currency, 'an amount such as 50000 or "$50,000"', ("currency_value", "value")),
    "rating": TypeSpec(_rating, "an integer from 0 to 5"),
    "checkbox": TypeSpec(_checkbox, "true or false"),
    "date": TypeSpec(_date, 'a date "YYYY-MM-DD"'),
    "timestamp": TypeSpec(_timestamp, 'an ISO 8601 time such as "2024-12-16T10:00:00Z"'),
    "select": TypeSpec(_choice, "an option title", ("option", "title", "value")),
    "status": TypeSpec(_choice, "a status title", ("status", "title", "value")),
    "record-reference": TypeSpec(
        _record_ref, "a record id or {target_object, target_record_id}", (), always_list=True
    ),
    "actor-reference": TypeSpec(_actor, "a workspace member email or id", ()),
    "domain": TypeSpec(_domain, 'a domain such as "acme.com"', ("domain", "value")),
    "email-address": TypeSpec(_email, 'an email such as "ada@acme.com"', ("email_address", "value")),
    "phone-number": TypeSpec(_phone, 'a phone number such as "+14155550100"', ("phone_number", "value")),
    "personal-name": TypeSpec(_personal_name, '"First Last" or {first_name, last_name}', ()),
    "location": TypeSpec(
        _location, "an address string or {line_1, locality, region, postcode, country_code}", ()
    ),
    "interaction": TypeSpec(_passthrough, "nothing: interactions are read-only", ()),
}


_DEFAULT_SPEC = TypeSpec(lambda _a, v, _m: v, "a value", ())


def prepare_values(
    schema: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    members: Sequence[WorkspaceMember] = (),
    notes: Interpreted | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return the Attio write payload for `data`, or raise one `InputError` describing every problem.

    With ``notes``, input is also read the way a model means it (slug variants, dates in words, option titles
    in another case, amounts with symbols) and every such reading is recorded there; without, only the
    long-standing forms are accepted (exact slugs, ids and titles; ISO dates). ``now`` is the clock for dates
    in words (default: the UTC clock).
    """
    payload, errors = _prepare(schema, data, for_create=for_create, members=members, notes=notes, now=now)
    if errors:
        raise InputError.combine(errors)
    return payload


def validate_all(
    schema: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    members: Sequence[WorkspaceMember] = (),
) -> list[InputError]:
    """Every problem with `data` (empty when it is valid), e.g. to check a bulk import up front."""
    return _prepare(schema, data, for_create=for_create, members=members, notes=None, now=None)[1]


def _as_array(value: Any) -> list[Any]:
    """Attio's OpenAPI spec types every written value as an array (one element for a single value)."""
    return value if isinstance(value, list) else [value]


def normalise_value(
    attr: AttrInfo,
    raw: Any,
    members: Sequence[WorkspaceMember] = (),
    *,
    notes: Interpreted | None = None,
    now: datetime | None = None,
) -> Any:
    """Coerce one attribute's input into its write form, applying the cardinality rules (``notes``: read it
    as meant and record how, as in :func:`prepare_values`)."""
    if raw is None or (isinstance(raw, list | tuple) and not raw):
        return []
    spec = TYPES.get(attr.type, _DEFAULT_SPEC)
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    if not attr.multi and len(items) > 1:
        raise InputError(
            f"Invalid value for {attr.slug!r} ({attr.type}): it holds one value, got a list of {len(items)}.",
            field=attr.slug,
            hint="Send a single value.",
        )
    out = [_coerce_item(attr, spec, _unwrap(item, spec.unwrap), members, notes, now) for item in items]
    return out if attr.multi or spec.always_list else out[0]


def _coerce_item(
    attr: AttrInfo,
    spec: TypeSpec,
    value: Any,
    members: Sequence[WorkspaceMember],
    notes: Interpreted | None,
    now: datetime | None,
) -> Any:
    if notes is not None and attr.type in ("date", "timestamp") and isinstance(value, str):
        words = words_to_iso(value, date_only=attr.type == "date", now=now)
        if words is not None:
            notes.add(attr.slug, value, show(words))
            value = words
    if notes is not None and attr.type in ("currency", "number") and isinstance(value, str):
        scaled = parse_amount(value) if parse_amount(value, multipliers=False) is None else None
        if scaled is not None:  # "50k", "1.5M"
            notes.add(attr.slug, value, show(scaled))
            value = scaled
    try:
        out = spec.coerce(attr, value, members)
    except InputError as err:
        if attr.type not in ("date", "timestamp"):
            raise
        raise InputError(
            f"{err.message.rstrip('.')}; {today_is(now)}.",
            field=err.field,
            hint=f"{err.hint or ''} Dates in words: {DATE_WORDS}.".strip(),
            options=err.options,
        ) from None
    if notes is not None and _was_interpreted(attr, value, out):
        notes.add(attr.slug, value, show(out.get("referenced_actor_id") if isinstance(out, dict) else out))
    return out


def _was_interpreted(attr: AttrInfo, given: Any, out: Any) -> bool:
    """Whether coercing ``given`` took a reading worth telling (not a mere normalisation such as E.164)."""
    if not isinstance(given, str):
        return False
    text = given.strip()
    if attr.type in ("select", "status"):
        return isinstance(out, str) and out != text
    if attr.type in ("currency", "number", "rating"):
        return parse_number(text) is None  # "$50,000", "50k"
    if attr.type == "checkbox":
        return text.lower() not in ("true", "false")
    if attr.type == "actor-reference":
        return "@" not in text and not UUID_RE.match(text)  # a member's name
    return False


def words_to_iso(
    text: str, *, date_only: bool, now: datetime | None = None, at: time | None = None
) -> str | None:
    """A date in words (:mod:`dates`) as ``YYYY-MM-DD`` (``date_only``) or a UTC timestamp (the time given in
    the words, else ``at``, else midnight); None when ``text`` is not words."""
    found = parse_words(text, now)
    if found is None:
        return None
    day, clock = found
    if date_only:
        return day.isoformat()
    moment = datetime.combine(day, clock or at or time(0), tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _unwrap(item: Any, keys: tuple[str, ...]) -> Any:
    """`{"value": x}` / `{"option": "High"}` style wrappers -> x."""
    if isinstance(item, Mapping) and len(item) == 1:
        (key, inner), *_ = item.items()
        if key in keys:
            return inner
    return item


def _attribute(
    schema: TargetSchema, key: str, notes: Interpreted | None
) -> tuple[AttrInfo | None, InputError | None]:
    """The attribute ``key`` names (variants too, with ``notes``), or the error to report."""
    if notes is None:
        attr = schema.get(key)
        return attr, None if attr else _unknown(schema, key)
    attr, candidates = schema.find(key)
    if attr is not None:
        if key not in (attr.slug, attr.id):
            notes.say(f"{show(key)} → {attr.slug}")
        return attr, None
    if not candidates:
        return None, _unknown(schema, key)
    slugs = [a.slug for a in candidates]
    return None, InputError(
        f"{key!r} could mean any of {format_choices(slugs)} on {schema.kind} {schema.slug!r}.",
        field=key,
        hint="Use the slug you mean (see options).",
        options=slugs,
    )


def _prepare(
    schema: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    members: Sequence[WorkspaceMember],
    notes: Interpreted | None,
    now: datetime | None,
) -> tuple[dict[str, Any], list[InputError]]:
    if not isinstance(data, Mapping):
        return {}, [InputError("Values must be an object mapping attribute slugs to values.", field="data")]
    payload: dict[str, Any] = {}
    errors: list[InputError] = []
    for key, raw in data.items():
        attr, problem = _attribute(schema, str(key), notes)
        if attr is None:
            errors.append(problem or _unknown(schema, str(key)))
        elif not attr.writable or attr.archived:
            state = "archived" if attr.archived else "read-only"
            errors.append(
                InputError(
                    f"{attr.slug!r} is a {state} attribute of {schema.slug} and cannot be written.",
                    field=attr.slug,
                    hint="Remove it from the values.",
                )
            )
        elif attr.slug in payload:
            errors.append(InputError(f"{attr.slug!r} is given twice (as {key!r}).", field=attr.slug))
        else:
            try:
                value = normalise_value(attr, raw, members, notes=notes, now=now)
                payload[attr.slug] = _as_array(value)
            except InputError as exc:
                errors.append(exc)
    if for_create:
        missing = [
            a.slug
            for a in schema.attributes.values()
            if a.required and not a.default_enabled and a.writable and not a.archived
            if payload.get(a.slug) in (None, []) and not any(e.field == a.slug for e in errors)
        ]
        if missing:
            errors.append(
                InputError(
                    f"Missing required attribute(s) for a new {schema.kind} in {schema.slug}: "
                    f"{format_choices(missing)}.",
                    field=", ".join(missing),
                    hint="Add values for them.",
                    options=missing,
                )
            )
    return payload, errors


def _unknown(schema: TargetSchema, key: str) -> InputError:
    writable = [schema.attributes[s] for s in schema.writable()]
    owner = {a.slug: a.slug for a in writable} | {a.title: a.slug for a in writable}
    close = list(dict.fromkeys(owner[name] for name in did_you_mean(key, owner)))
    message = f"Unknown attribute {key!r} on {schema.kind} {schema.slug!r}."
    if close:
        message += f" Did you mean {format_choices(close)}?"
    slugs = [a.slug for a in writable]
    return InputError(
        message,
        field=key,
        hint="Use a writable attribute slug (see options).",
        options=close + [s for s in slugs if s not in close],
    )


def refuse_append_clears(target: TargetSchema, payload: Mapping[str, Any]) -> None:
    """An append-mode update (PATCH) adds what it sends to multi-value attributes, so ``[]`` there would
    report success and change nothing: refuse it, pointing at overwrite mode."""
    cleared = [slug for slug, value in payload.items() if value == [] and (a := target.get(slug)) and a.multi]
    if cleared:
        raise InputError(
            f"{', '.join(cleared)} cannot be cleared in append mode: Attio adds the values an append sends "
            "to a multi-value attribute, so an empty value changes nothing",
            field=cleared[0],
            hint="call again with mode='overwrite' (multi-value attributes you send are then replaced).",
        )


def require_uuid(value: str, field: str) -> str:
    """``value`` as a canonical lower-case UUID, or VALIDATION_ERROR before any request is sent."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise InputError(
            f"invalid UUID {value[:60]!r}",
            field=field,
            hint="pass the id exactly as returned by a search or get tool.",
        ) from None
