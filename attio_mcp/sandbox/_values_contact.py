"""Normalisation of the "contact-ish" attribute types: email, domain, phone, personal name, location."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from ._errors import validation_error

__all__ = [
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


def normalise_email(item: Any, path: Path) -> dict[str, Any]:
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


def normalise_domain(item: Any, path: Path) -> dict[str, Any]:
    """``"https://www.acme.com/about"`` or ``{"domain": ...}`` -> ``{domain, root_domain}``."""
    raw = _text(item, "domain", path, "domain")
    host = _host_of(raw)
    if not _HOST_RE.match(host):
        raise validation_error(f'"{raw}" is not a valid domain.', path, issue_code="invalid_string")
    return {"domain": host, "root_domain": root_domain(host)}


def normalise_phone(item: Any, path: Path) -> dict[str, Any]:
    """``"+44 7700 900123"`` or ``{"original_phone_number", "country_code"?}`` -> E.164 value keys."""
    country: str | None = None
    if isinstance(item, dict):
        original = _text(item, "original_phone_number", path, "phone number")
        country = item.get("country_code")
        if country is not None and not isinstance(country, str):
            raise validation_error("country_code must be a string.", [*path, "country_code"])
    else:
        original = _text(item, "original_phone_number", path, "phone number")
    if not original.startswith("+") and not country:
        raise validation_error(
            f'Phone number "{original}" must start with "+" or come with a country_code.',
            path,
            issue_code="invalid_string",
        )
    try:
        parsed = phonenumbers.parse(original, country.upper() if country else None)
    except phonenumbers.NumberParseException as exc:
        raise validation_error(f'"{original}" is not a valid phone number.', path) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise validation_error(
            f'"{original}" is not a valid phone number.', path, issue_code="invalid_string"
        )
    region = phonenumbers.region_code_for_number(parsed)
    if not region or region == "ZZ":
        calling_code = parsed.country_code  # always set by parse(); None would mean "unknown region"
        by_code = None if calling_code is None else phonenumbers.region_code_for_country_code(calling_code)
        region = (country or by_code or "ZZ").upper()
    return {
        "original_phone_number": original,
        "country_code": region,
        "phone_number": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
    }


def normalise_name(item: Any, path: Path) -> dict[str, Any]:
    """``"Last, First"`` (no comma: first name only) or ``{first_name, last_name, full_name}``."""
    if isinstance(item, str):
        text = item.strip()
        if "," in text:
            last, _, first = text.partition(",")
            first, last = first.strip(), last.strip()
        else:
            first, last = text, ""
        return {"first_name": first, "last_name": last, "full_name": f"{first} {last}".strip()}
    if isinstance(item, dict):
        parts: dict[str, str] = {}
        for key in ("first_name", "last_name", "full_name"):
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                raise validation_error(f"{key} must be a string.", [*path, key], expected="string")
            parts[key] = (value or "").strip()
        if not any(parts.values()):
            raise validation_error("A personal name needs first_name, last_name or full_name.", path)
        if not parts["full_name"]:
            parts["full_name"] = f"{parts['first_name']} {parts['last_name']}".strip()
        return parts
    raise validation_error("Expected a name string or object.", path, expected="object")


def _coordinate(value: Any, path: Path) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise validation_error("Coordinates must be decimal strings.", path, expected="string")
    try:
        float(value)
    except ValueError as exc:
        raise validation_error(f'"{value}" is not a coordinate.', path) from exc
    return str(value)


def normalise_location(item: Any, path: Path) -> dict[str, Any]:
    """A free-text address or an object with all ten location keys."""
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
        out: dict[str, Any] = {}
        for key in LOCATION_KEYS:
            value = item[key]
            if key in ("latitude", "longitude"):
                out[key] = _coordinate(value, [*path, key])
            elif value is not None and not isinstance(value, str):
                raise validation_error(f"{key} must be a string or null.", [*path, key], expected="string")
            else:
                out[key] = (value.strip() or None) if isinstance(value, str) else None
        if out["country_code"]:
            out["country_code"] = out["country_code"].upper()
        return out
    if isinstance(item, str) and item.strip():
        return parse_location(item)
    raise validation_error("Expected a location string or object.", path, expected="object")


def parse_location(text: str) -> dict[str, Any]:
    """Loosely parse ``"1 Infinite Loop, Cupertino, CA, 95014, US"`` into location keys."""
    out: dict[str, Any] = dict.fromkeys(LOCATION_KEYS)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and (len(parts[-1]) == 2 and parts[-1].isalpha() or parts[-1].lower() in _COUNTRY_NAMES):
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
