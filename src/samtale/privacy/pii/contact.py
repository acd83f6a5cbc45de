"""E-mail addresses, URLs that carry a person (tokens, sessions, e-mails) and IP addresses.

A plain product link survives redaction; a link with `?token=`, a session id or an e-mail in it
does not. Surviving links are still reported to the resolver as shielded zones, so the digits of
`/p/40123456` are not read as a phone number.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from .model import EMAIL, IP, URL, Finding

_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
_DOMAIN = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,24}"
EMAIL_RE = re.compile(
    rf"(?<![\w.+%-])(?P<local>{_LOCAL})\s?(?:@|\s?[(\[{{]\s?at\s?[)\]}}]\s?|\s?\(a\)\s?)"
    rf"(?P<domain>{_DOMAIN})(?![\w-])",
    re.IGNORECASE,
)
# Addresses spelt out against spam harvesters: "anne (at) gmail (dot) com", "john at outlook dot
# com", "mette snabel-a firma punktum dk". A bare " at " counts only with a spelt-out dot and a
# common top-level domain, so "meet at home" stays.
_DOT_WORD = r"(?:dot|punktum|prik|punkt|piste|pist)"
_SPELT_DOT = rf"(?:\s?[(\[{{]\s?{_DOT_WORD}\s?[)\]}}]\s?|\s{_DOT_WORD}\s)"
_ANY_DOT = rf"(?:{_SPELT_DOT}|\.)"
_TLD = r"(?:com|net|org|dk|se|no|fi|eu|de|uk|io|nu|me|info|is)"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
SPELT_EMAIL_RE = re.compile(
    rf"(?<![\w.+%-]){_LOCAL}"
    rf"(?:\s?[(\[{{]\s?(?:at|snabel-?a)\s?[)\]}}]\s?(?:{_LABEL}{_ANY_DOT})+{_TLD}"
    rf"|\s(?:at|snabel-?a)\s(?:{_LABEL}{_ANY_DOT})*{_LABEL}{_SPELT_DOT}{_TLD})(?![\w-])",
    re.IGNORECASE,
)
_UNSPELL_AT = re.compile(
    r"\s*(?:[(\[{]\s*(?:at|snabel-?a)\s*[)\]}]|\s(?:at|snabel-?a)\s|@)\s*", re.IGNORECASE
)
_UNSPELL_DOT = re.compile(
    rf"\s*(?:[(\[{{]\s*{_DOT_WORD}\s*[)\]}}]|\s{_DOT_WORD}\s|\.)\s*", re.IGNORECASE
)


def unspell_email(value: str) -> str:
    """The address a spelt-out one stands for: `anne (at) gmail (dot) com` → `anne@gmail.com`
    (a written address passes unchanged)."""
    parts = _UNSPELL_AT.split(value.strip(), maxsplit=1)
    if len(parts) != 2:
        return value
    return parts[0] + "@" + _UNSPELL_DOT.sub(".", parts[1])


_EMAIL_INSIDE = re.compile(rf"{_LOCAL}(?:@|%40){_DOMAIN}", re.IGNORECASE)

_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'`\[\]{}|\\^]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:dk|se|no|fi|com|net|org|eu|io|nu|is|de|uk|app)"
    r"/[^\s<>\"'`\[\]{}|\\^]*",
    re.IGNORECASE,
)
_SENSITIVE_KEY = re.compile(
    r"(?:^|[_.-])(?:token|access|auth\w*|key|apikey|api_key|session\w*|sess|sid|jsessionid|"
    r"phpsessid|e-?mail|mail|user\w*|login|pass\w*|pwd|secret|signature|sig|code|otp|reset|"
    r"hash|nonce|ticket|phone|tel|mobile|mobil|name|navn|namn|nimi|first_?name|last_?name|"
    r"address|adresse|adress|customer\w*|kunde\w*|ssn|cpr|jwt|bearer|state|uid|userid|"
    r"account|konto|invite|verify|confirm\w*)(?:$|[_.-])",
    re.IGNORECASE,
)
_SENSITIVE_PATH = re.compile(
    r"/(?:reset|password|token|unsubscribe|afmeld|verify|confirm|activate|login|magic|invite|"
    r"auth|session|account/recover)[^/]*/",
    re.IGNORECASE,
)
_TOKEN_LIKE = re.compile(
    r"^(?=[A-Za-z0-9_\-.~]*\d)(?=[A-Za-z0-9_\-.~]*[A-Za-z])[A-Za-z0-9_\-.~]{20,}$"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}")

_IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])",
    re.IGNORECASE,
)


def find_emails(text: str) -> Iterator[Finding]:
    for m in EMAIL_RE.finditer(text):
        yield Finding(EMAIL, m.start(), m.end())
    for m in SPELT_EMAIL_RE.finditer(text):
        yield Finding(EMAIL, m.start(), m.end())


def _url_is_personal(url: str) -> bool:
    if _EMAIL_INSIDE.search(url) or _JWT.search(url):
        return True
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        return True  # an unreadable link is not worth the risk
    if "@" in parts.netloc:  # user:password@host
        return True
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if _SENSITIVE_KEY.search(key) or _TOKEN_LIKE.match(value) or "@" in value:
            return True
    if parts.fragment and ("=" in parts.fragment or _TOKEN_LIKE.match(parts.fragment)):
        frag = dict(parse_qsl(parts.fragment))
        if any(_SENSITIVE_KEY.search(k) for k in frag) or _TOKEN_LIKE.match(parts.fragment):
            return True
    path = unquote(parts.path)
    if _SENSITIVE_PATH.search(path + "/"):
        return True
    return any(_TOKEN_LIKE.match(segment) for segment in path.split("/"))


def find_urls(text: str) -> Iterator[Finding]:
    for m in _URL_RE.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in ".,;:!?)'\"»”":
            end -= 1
        url = text[start:end]
        if "." not in url:
            continue
        yield Finding(URL, start, end, keep=not _url_is_personal(url))


def find_ips(text: str) -> Iterator[Finding]:
    for m in _IPV4_RE.finditer(text):
        if re.search(
            r"(?:version|versio|ver\.?|v)\s?$", text[max(0, m.start() - 9) : m.start()], re.I
        ):
            continue  # a version number, "v1.2.3.4"
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        yield Finding(IP, m.start(), m.end())
    if ":" not in text:
        return
    for m in _IPV6_RE.finditer(text):
        value = m.group()
        if value.count(":") < 2 or ("::" not in value and value.count(":") < 7):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        if value in ("::",):
            continue
        yield Finding(IP, m.start(), m.end())
