"""Normalisation of the "contact-ish" attribute types: email, domain, phone, personal name, location."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from ._countries import COUNTRY_CODES
from ._errors import ValidationIssue, invalid_value, validation_error

__all__ = [
    "country_code_issue",
    "json_type",
    "normalise_domain",
    "normalise_email",
    "normalise_location",
    "normalise_name",
    "normalise_phone",
    "root_domain",
]

Path = list[str | int]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
# Second-level labels that form part of a public suffix under a two-letter ccTLD (co.uk, com.au...).
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"}
_NAME_KEYS = ("first_name", "last_name", "full_name")
# The spec's latitude/longitude patterns (location input values).
_LATITUDE = re.compile(r"^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?)$")
_LONGITUDE = re.compile(r"^[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$")
_MISSING = object()  # a key absent from an input object (zod: "received": "undefined")
LOCATION_KEYS = (
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "locality",
    "region",
    "postcode",
    "country_code",
    "latitude",
    "longitude",
)
_COUNTRY_NAMES = {
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "germany": "DE",
    "france": "FR",
    "canada": "CA",
    "australia": "AU",
    "ireland": "IE",
    "netherlands": "NL",
    "spain": "ES",
    "india": "IN",
    "japan": "JP",
    "singapore": "SG",
}


def root_domain(host: str) -> str:
    """Registrable part of a host: last two labels (three under ``co.uk``-style suffixes)."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _text(item: Any, key: str, path: Path, what: str) -> str:
    if isinstance(item, dict):
        if key not in item:
            raise validation_error(
                f"Expected {what} object to contain {key!r}.", [*path, key], received="undefined"
            )
        item = item[key]
        path = [*path, key]
    if not isinstance(item, str):
        raise validation_error(
            f"Expected a string {what}.", path, expected="string", received=type(item).__name__
        )
    return item.strip()


def normalise_email(item: Any, path: Path, slug: str) -> dict[str, Any]:
    """``"a@b.com"`` or ``{"email_address": ...}`` -> Attio email-address value keys."""
    original = _text(item, "email_address", path, "email address")
    if not _EMAIL_RE.match(original):
        raise validation_error(
            f'"{original}" is not a valid email address.', path, issue_code="invalid_string"
        )
    email = original.lower()
    local, _, domain = email.rpartition("@")
    return {
        "original_email_address": original,
        "email_address": email,
        "email_domain": domain,
        "email_root_domain": root_domain(domain),
        "email_local_specifier": local,
    }


def _host_of(text: str) -> str:
    candidate = text.strip()
    if "://" not in candidate:
        candidate = "//" + candidate
    host = urlsplit(candidate).hostname or ""
    return host.rstrip(".").lower()


def normalise_domain(item: Any, path: Path, slug: str) -> dict[str, Any]:
    """``"https://www.acme.com/about"`` or ``{"domain": ...}`` -> ``{domain, root_domain}``."""
    raw = _text(item, "domain", path, "domain")
    host = _host_of(raw)
    if not _HOST_RE.match(host):
        raise validation_error(f'"{raw}" is not a valid domain.', path, issue_code="invalid_string")
    return {"domain": host, "root_domain": root_domain(host)}


def _issue(code: str, key: str | None, message: str, **extra: str) -> ValidationIssue:
    return {"code": code, "path": [] if key is None else [key], "message": message, **extra}


def _required(key: str, value: Any, expected: str = "string") -> ValidationIssue:
    received = "undefined" if value is _MISSING else json_type(value)
    message = "Required" if value is _MISSING else f"Expected {expected}, received {received}"
    return _issue("invalid_type", key, message, expected=expected, received=received)


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value, as zod reports it in ``received``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def country_code_issue(key: str, value: Any) -> ValidationIssue | None:
    """The issue for a ``country_code`` outside the spec's enum, None if it is valid (null: caller decides)."""
    if isinstance(value, str) and value in COUNTRY_CODES:
        return None
    return _issue(
        "invalid_enum_value",
        key,
        f"Invalid enum value. Expected an ISO 3166-1 alpha-2 country code, received {value!r}",
    )


def normalise_phone(item: Any, path: Path, slug: str) -> dict[str, Any]:
    """``"+44 20 7946 0123"`` or ``{"original_phone_number", "country_code"?}`` -> E.164 value keys.

    The number must be valid for its numbering plan (``phonenumbers.is_valid_number``), not just possible,
    as Attio checks. Errors have Attio's recorded shape: ``An invalid value was passed to attribute with
    slug "phone_numbers".`` with an issue at ``["original_phone_number"]``.
    """
    country: str | None = None
    if isinstance(item, dict):
        original = item.get("original_phone_number", _MISSING)
        if not isinstance(original, str):
            raise invalid_value(slug, [_required("original_phone_number", original)])
        country = item.get("country_code")
        if country is not None and (issue := country_code_issue("country_code", country)) is not None:
            raise invalid_value(slug, [issue])
    elif isinstance(item, str):
        original = item
    else:
        raise invalid_value(slug, [_required("original_phone_number", item)])
    original = original.strip()
    if not original.startswith("+") and not country:
        raise invalid_value(
            slug, [_bad_phone("Invalid phone number, possibly due to missing country information")]
        )
    try:
        parsed = phonenumbers.parse(original, country)
    except phonenumbers.NumberParseException:
        raise invalid_value(slug, [_bad_phone()]) from None
    if not phonenumbers.is_valid_number(parsed):
        raise invalid_value(slug, [_bad_phone()])
    region = phonenumbers.region_code_for_number(parsed)
    if not region or region == "ZZ":
        calling_code = parsed.country_code  # always set by parse(); None would mean "unknown region"
        by_code = None if calling_code is None else phonenumbers.region_code_for_country_code(calling_code)
        region = country or by_code or "ZZ"
    return {
        "original_phone_number": original,
        "country_code": region,
        "phone_number": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
    }


def _bad_phone(message: str = "Invalid phone number") -> ValidationIssue:
    return _issue("invalid", "original_phone_number", message)


def normalise_name(item: Any, path: Path, slug: str) -> dict[str, Any]:
    """``"Last, First"`` (no comma: first name only) or ``{first_name, last_name, full_name}``.

    The object form needs all three keys as strings (empty strings allowed), as Attio requires; a missing
    key is the recorded ``invalid_type`` / ``Required`` issue at ``[key]``.
    """
    if isinstance(item, str):
        text = item.strip()
        if "," in text:
            last, _, first = text.partition(",")
            first, last = first.strip(), last.strip()
        else:
            first, last = text, ""
        return {"first_name": first, "last_name": last, "full_name": f"{first} {last}".strip()}
    if isinstance(item, dict):
        issues = [
            _required(key, item.get(key, _MISSING))
            for key in _NAME_KEYS
            if not isinstance(item.get(key, _MISSING), str)
        ]
        if issues:
            raise invalid_value(slug, issues)
        parts = {key: item[key].strip() for key in _NAME_KEYS}
        if not any(parts.values()):
            raise invalid_value(
                slug, [_issue("custom", None, "A personal name needs a first, last or full name.")]
            )
        if not parts["full_name"]:
            parts["full_name"] = f"{parts['first_name']} {parts['last_name']}".strip()
        return parts
    raise validation_error("Expected a name string or object.", path, expected="object")


def _coordinate(value: Any, key: str) -> ValidationIssue | None:
    """The spec's rule: a decimal string matching its latitude/longitude pattern, or null."""
    if value is None:
        return None
    pattern = _LATITUDE if key == "latitude" else _LONGITUDE
    if not isinstance(value, str):
        return _required(key, value)
    if not pattern.match(value):
        return _issue("invalid_string", key, "Invalid", validation="regex")
    return None


def normalise_location(item: Any, path: Path, slug: str) -> dict[str, Any]:
    """A free-text address or an object with all ten location keys.

    Object form: every key present (null allowed), strings or null, ``country_code`` one of the spec's
    codes exactly (upper case), ``latitude``/``longitude`` decimal strings matching the spec's patterns.
    """
    if isinstance(item, dict):
        missing = [k for k in LOCATION_KEYS if k not in item]
        if missing:
            issues = [
                {"code": "invalid_type", "path": [*path, k], "message": "Required", "received": "undefined"}
                for k in missing
            ]
            raise validation_error(
                f"Location objects need all ten keys; missing: {', '.join(missing)}.", path, issues=issues
            )
        problems: list[ValidationIssue] = []
        out: dict[str, Any] = {}
        for key in LOCATION_KEYS:
            value = item[key]
            if key in ("latitude", "longitude"):
                issue = _coordinate(value, key)
            elif value is not None and not isinstance(value, str):
                issue = _required(key, value)
            elif key == "country_code" and value is not None:
                issue = country_code_issue(key, value)
            else:
                issue = None
            if issue is not None:
                problems.append(issue)
            out[key] = (value.strip() or None) if isinstance(value, str) else None
        if problems:
            raise invalid_value(slug, problems)
        return out
    if isinstance(item, str) and item.strip():
        return parse_location(item)
    raise validation_error("Expected a location string or object.", path, expected="object")


def parse_location(text: str) -> dict[str, Any]:
    """Loosely parse ``"1 Infinite Loop, Cupertino, CA, 95014, US"`` into location keys."""
    out: dict[str, Any] = dict.fromkeys(LOCATION_KEYS)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and (parts[-1].upper() in COUNTRY_CODES or parts[-1].lower() in _COUNTRY_NAMES):
        last = parts.pop()
        out["country_code"] = _COUNTRY_NAMES.get(last.lower(), last.upper())
    if parts and any(ch.isdigit() for ch in parts[-1]) and len(parts) > 1:
        tail = parts.pop()
        region_code = re.match(r"^([A-Za-z]{2,3})\s+(\S.*)$", tail)
        if region_code:
            out["region"], out["postcode"] = region_code.group(1), region_code.group(2)
        else:
            out["postcode"] = tail
    if len(parts) == 1:
        out["locality"] = parts[0]
    elif len(parts) == 2 and out["region"] is None:
        out["locality"], out["region"] = parts
    elif len(parts) >= 2:
        if out["region"] is None:
            out["region"] = parts.pop()
        out["locality"] = parts.pop()
        for index, line in enumerate(parts[:4], start=1):
            out[f"line_{index}"] = line
    return out
