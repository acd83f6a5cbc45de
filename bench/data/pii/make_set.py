"""Make the labelled set of customer messages for the personal-data benchmark.

    python bench/data/pii/make_set.py          # writes bench/data/pii/messages.jsonl

Each line is `{"id", "lang", "text", "spans": [{"type", "start", "end"}]}`. Messages are built
from templates written in the style of real shop chats, in Danish, Swedish, Norwegian, Finnish
and English, with hard negatives (prices, dates, sizes, product numbers, postcodes alone,
words that look like names, numbers that fail their checksum) mixed in.

The people in this set are not drawn from the lists the redactor uses: the given names and
surnames below are picked by hand for this set, and some are deliberately rare or foreign, so
that recall on names is measured honestly. Identity, card and account numbers are generated
with valid check digits (`python-stdnum`); look-alikes that fail them appear as negatives.
The seed is fixed, so the file is the same on every run.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

import phonenumbers
from stdnum import iban, luhn
from stdnum.dk import cpr
from stdnum.fi import hetu
from stdnum.no import fodselsnummer, kontonr
from stdnum.se import personnummer

OUT = Path(__file__).resolve().parent / "messages.jsonl"
SEED = 20240312
PER_LANGUAGE = 130

# Hand-picked for this set: common, uncommon and foreign names as they appear in Nordic shops.
FIRST = {
    "da": [
        "Villads",
        "Eskild",
        "Ingolf",
        "Torkild",
        "Malte",
        "Alberte",
        "Merle",
        "Sigrun",
        "Bolette",
        "Gry",
        "Holger",
        "Kamilla",
        "Tobias",
        "Søs",
        "Jonna",
        "Aase",
        "Ditlev",
        "Lykke",
        "Rikard",
        "Yrsa",
        "Mathea",
        "Asbjørn",
        "Sonny",
        "Bodil",
        "Laust",
        "Hjalte",
        "Ingeborg",
        "Nikoline",
        "Kresten",
        "Ellinor",
    ],
    "sv": [
        "Ylva",
        "Siw",
        "Torgny",
        "Hjalmar",
        "Ebbe",
        "Majken",
        "Sixten",
        "Ronja",
        "Vilgot",
        "Elvira",
        "Gudrun",
        "Algot",
        "Tekla",
        "Ture",
        "Nellie",
        "Lovisa",
        "Harriet",
        "Anneli",
        "Bror",
        "Ingela",
        "Leo",
        "Dagny",
        "Folke",
        "Svea",
        "Alvar",
    ],
    "nb": [
        "Eyvind",
        "Aslak",
        "Brynhild",
        "Tarjei",
        "Solfrid",
        "Ragnvald",
        "Gunnhild",
        "Torleif",
        "Idun",
        "Halvard",
        "Synne",
        "Jorun",
        "Amund",
        "Eilif",
        "Åshild",
        "Ingrid",
        "Sigve",
        "Oddny",
        "Vebjørn",
        "Tiril",
        "Audun",
        "Maren",
        "Kjellaug",
    ],
    "fi": [
        "Tuure",
        "Ilmari",
        "Aune",
        "Kyösti",
        "Loviisa",
        "Ahti",
        "Sisko",
        "Reino",
        "Hellevi",
        "Veikko",
        "Kerttu",
        "Jalmari",
        "Elsa",
        "Taisto",
        "Orvokki",
        "Urho",
        "Impi",
        "Lempi",
        "Paavo",
        "Ilona",
        "Vilho",
        "Hilja",
        "Eemil",
        "Siiri",
    ],
    "en": [
        "Imogen",
        "Rupert",
        "Tamsin",
        "Declan",
        "Fergus",
        "Maisie",
        "Saoirse",
        "Callum",
        "Priya",
        "Rhys",
        "Bethany",
        "Nigel",
        "Gwen",
        "Alistair",
        "Cormac",
        "Niamh",
        "Hamish",
        "Florence",
        "Jasper",
        "Ottilie",
    ],
    "intl": [
        "Mehmet",
        "Yasmin",
        "Bilal",
        "Oksana",
        "Dariusz",
        "Ngozi",
        "Thanh",
        "Priyanka",
        "Ahmed",
        "Zofia",
        "Kwame",
        "Leila",
        "Arjun",
        "Svetlana",
        "Tomasz",
        "Farah",
    ],
}
LAST = {
    "da": [
        "Kjærgaard",
        "Bisgaard",
        "Holmgaard",
        "Brøndum",
        "Vestergaard",
        "Skovbo",
        "Lykkegaard",
        "Thyregod",
        "Fabricius",
        "Munch",
        "Rask",
        "Dalsgaard",
        "Bundgaard",
        "Fogh",
        "Krarup",
        "Overby",
        "Riis",
        "Stokholm",
    ],
    "sv": [
        "Lindqvist",
        "Ekdahl",
        "Sundström",
        "Nordqvist",
        "Hagström",
        "Wennberg",
        "Ljungberg",
        "Forsgren",
        "Åkesson",
        "Rydberg",
        "Sjögren",
        "Tornqvist",
        "Blomgren",
        "Hedin",
        "Öberg",
    ],
    "nb": [
        "Haugland",
        "Fjeldstad",
        "Rønningen",
        "Skjeldal",
        "Tveiten",
        "Brattli",
        "Nygaard",
        "Solbakken",
        "Vestre",
        "Aasland",
        "Furuseth",
        "Hovland",
        "Myrvold",
        "Tangen",
    ],
    "fi": [
        "Hämäläinen",
        "Kivelä",
        "Rautio",
        "Lehtola",
        "Pesonen",
        "Tikkanen",
        "Heiskanen",
        "Vuorela",
        "Rinne",
        "Kangasniemi",
        "Oksanen",
        "Pulkkinen",
        "Ylönen",
        "Hakulinen",
    ],
    "en": [
        "Ashworth",
        "Pemberton",
        "Whitaker",
        "Fairbanks",
        "Hollis",
        "Caldwell",
        "Thornton",
        "Ramsey",
        "Kendrick",
        "Blackwood",
        "Sinclair",
        "Gallagher",
    ],
    "intl": [
        "Yılmaz",
        "Kowalczyk",
        "Nguyen",
        "Okafor",
        "Haddad",
        "Petrenko",
        "Szymański",
        "Mensah",
        "Rahimi",
    ],
}
DOMAINS = [
    "gmail.com",
    "hotmail.com",
    "outlook.dk",
    "live.se",
    "yahoo.no",
    "mail.dk",
    "jubii.dk",
    "telia.com",
    "online.no",
    "icloud.com",
    "protonmail.com",
    "kolumbus.fi",
    "suomi24.fi",
    "firma.se",
    "proton.me",
    "elisa.fi",
]
STREETS = {
    "da": [
        "Ryesgade",
        "Nørrebrogade",
        "Hasselvej",
        "Bøgevænget",
        "Enghavevej",
        "Skolestræde",
        "Kirkebakken",
        "Strandvejen",
        "Åboulevarden",
        "Vestergade",
        "Hyldebærvej",
        "Jyllandsgade",
    ],
    "sv": [
        "Sveavägen",
        "Götgatan",
        "Kungsgatan",
        "Lilla",
        "Torget",
        "Hantverkargatan",
        "Järnvägsgatan",
        "Björkvägen",
        "Storgatan",
        "Odengatan",
        "Tallstigen",
    ],
    "nb": [
        "Thereses gate",
        "Bogstadveien",
        "Markveien",
        "Grensen",
        "Kirkeveien",
        "Trondheimsveien",
        "Skogveien",
        "Eikelia",
        "Hasleveien",
    ],
    "fi": [
        "Hämeenkatu",
        "Mannerheimintie",
        "Kauppakatu",
        "Koivutie",
        "Rantatie",
        "Puistokatu",
        "Mäkitie",
        "Koulukuja",
        "Sibeliuksenkatu",
    ],
    "en": [
        "Kingsley Road",
        "Mill Lane",
        "Victoria Street",
        "Oakfield Avenue",
        "Church Close",
        "Station Road",
        "Elm Grove",
    ],
}
CITIES = {
    "da": [("2200", "København N"), ("8000", "Aarhus C"), ("5000", "Odense C"),
           ("9000", "Aalborg"), ("7100", "Vejle"), ("4000", "Roskilde"), ("6700", "Esbjerg"),
           ("3400", "Hillerød"), ("8600", "Silkeborg")],
    "sv": [("114 55", "Stockholm"), ("411 38", "Göteborg"), ("211 22", "Malmö"),
           ("753 20", "Uppsala"), ("582 24", "Linköping"), ("903 25", "Umeå")],
    "nb": [("0355", "Oslo"), ("5003", "Bergen"), ("7010", "Trondheim"), ("4006", "Stavanger"),
           ("9008", "Tromsø"), ("3015", "Drammen")],
    "fi": [("00100", "Helsinki"), ("33100", "Tampere"), ("20100", "Turku"), ("90100", "Oulu"),
           ("40100", "Jyväskylä"), ("02100", "Espoo")],
    "en": [("LS6 2AB", "Leeds"), ("M1 4BT", "Manchester"), ("BS1 5TR", "Bristol"),
           ("EH1 1YZ", "Edinburgh")],
}  # fmt: skip

Piece = tuple[str, str | None]  # text, and its type when it is personal data


class Maker:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    # --- people -------------------------------------------------------------------------
    def first(self, lang: str) -> str:
        pool = FIRST[lang] if self.r.random() < 0.85 else FIRST["intl"]
        return self.r.choice(pool)

    def last(self, lang: str) -> str:
        pool = LAST[lang] if self.r.random() < 0.85 else LAST["intl"]
        return self.r.choice(pool)

    def full_name(self, lang: str) -> str:
        name = f"{self.first(lang)} {self.last(lang)}"
        return name.lower() if self.r.random() < 0.08 else name

    def email(self, lang: str) -> str:
        f = _ascii(self.first(lang)).lower()
        last = _ascii(self.last(lang)).lower()
        local = self.r.choice([f"{f}.{last}", f"{f}{self.r.randint(1, 99)}", f"{f[0]}{last}",
                               f"{f}_{last}", f"{last}.{f}"])  # fmt: skip
        email = f"{local}@{self.r.choice(DOMAINS)}"
        return email.capitalize() if self.r.random() < 0.05 else email

    # --- phones -------------------------------------------------------------------------
    def phone(self, lang: str) -> str:
        region = {"da": "DK", "sv": "SE", "nb": "NO", "fi": "FI", "en": "GB"}[lang]
        if self.r.random() < 0.12:
            region = self.r.choice(["DK", "SE", "NO", "FI"])
        while True:
            if region in ("DK", "NO"):
                first = self.r.choice("2345679" if region == "DK" else "4949")
                national = first + "".join(self.r.choice("0123456789") for _ in range(7))
            elif region == "SE":
                national = self.r.choice(["070", "072", "073", "076", "079", "08"])
                national += "".join(self.r.choice("0123456789") for _ in range(10 - len(national)))
            elif region == "FI":
                national = self.r.choice(["040", "041", "044", "045", "050", "09"])
                national += "".join(self.r.choice("0123456789") for _ in range(10 - len(national)))
            else:
                national = "07" + "".join(self.r.choice("0123456789") for _ in range(9))
            number = phonenumbers.parse(national, region)
            if phonenumbers.is_valid_number(number):
                break
        return self._format_phone(national, region)

    def _format_phone(self, national: str, region: str) -> str:
        cc = {"DK": "45", "SE": "46", "NO": "47", "FI": "358", "GB": "44"}[region]
        style = self.r.random()
        if region in ("DK", "NO"):
            d = national
            if style < 0.3:
                return f"{d[0:2]} {d[2:4]} {d[4:6]} {d[6:8]}"
            if style < 0.55:
                return d
            if style < 0.75:
                return f"+{cc} {d[0:2]} {d[2:4]} {d[4:6]} {d[6:8]}"
            if style < 0.85:
                return f"+{cc}{d}"
            if style < 0.92:
                return f"00{cc} {d}"
            return f"{d[0:4]} {d[4:8]}"
        rest = national[1:]
        if style < 0.35:
            if national.startswith("08"):
                return f"08-{national[2:5]} {national[5:7]} {national[7:]}"
            if national.startswith("09"):
                return f"09 {national[2:]}"
            return f"{national[:3]}-{national[3:6]} {national[6:8]} {national[8:]}"
        if style < 0.6:
            return f"{national[:3]} {national[3:]}"
        if style < 0.75:
            return national
        if style < 0.9:
            return f"+{cc} {rest[:2]} {rest[2:5]} {rest[5:]}"
        return f"+{cc}{rest}"

    # --- identity numbers ---------------------------------------------------------------
    def _date(self, lo: int = 1940, hi: int = 2006) -> datetime.date:
        start = datetime.date(lo, 1, 1).toordinal()
        return datetime.date.fromordinal(
            self.r.randint(start, datetime.date(hi, 12, 31).toordinal())
        )

    def cpr(self) -> str:
        while True:
            d = self._date()
            century_digit = "0123" if d.year < 2000 else "4"
            serial = self.r.choice(century_digit) + "".join(
                self.r.choice("0123456789") for _ in range(3)
            )
            number = d.strftime("%d%m%y") + serial
            if not cpr.is_valid(number):
                continue
            # newer CPR numbers need not pass modulus 11; keep both kinds
            if self.r.random() < 0.5 and cpr.checksum(number) != 0:
                continue
            return f"{number[:6]}-{number[6:]}" if self.r.random() < 0.85 else number

    def personnummer(self) -> str:
        while True:
            d = self._date()
            day = d.day + (60 if self.r.random() < 0.15 else 0)
            base = f"{d:%y%m}{day:02d}" + "".join(self.r.choice("0123456789") for _ in range(3))
            number = base + str(luhn.calc_check_digit(base))
            style = self.r.random()
            if style < 0.6:
                return f"{number[:6]}-{number[6:]}"
            if style < 0.85:
                return f"{d.year // 100}{number[:6]}-{number[6:]}"
            if day <= 31 and personnummer.is_valid(f"{number[:6]}-{number[6:]}"):
                return f"{d.year // 100}{number}"
            return f"{number[:6]}-{number[6:]}"

    def fodselsnummer(self) -> str:
        while True:
            d = self._date(1940, 1999)
            day = d.day + (40 if self.r.random() < 0.15 else 0)
            base = f"{day:02d}{d:%m%y}" + f"{self.r.randint(0, 499):03d}"
            c1 = fodselsnummer.calc_check_digit1(base)
            c2 = fodselsnummer.calc_check_digit2(base + c1)
            number = base + c1 + c2
            if len(number) == 11 and fodselsnummer.is_valid(number):
                return number if self.r.random() < 0.7 else f"{number[:6]} {number[6:]}"

    def hetu(self) -> str:
        while True:
            d = self._date()
            sign = self.r.choice("-Y") if d.year < 2000 else self.r.choice("AB")
            individual = f"{self.r.randint(2, 899):03d}"
            body = f"{d:%d%m%y}"
            check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(body + individual) % 31]
            value = f"{body}{sign}{individual}{check}"
            if hetu.is_valid(value):
                return value

    def national_id(self, lang: str) -> str:
        return {"da": self.cpr, "sv": self.personnummer, "nb": self.fodselsnummer,
                "fi": self.hetu, "en": self.cpr}[lang]()  # fmt: skip

    # --- payment ------------------------------------------------------------------------
    def card(self) -> str:
        prefix, length = self.r.choice([("4571", 16), ("4", 16), ("5019", 16), ("51", 16),
                                        ("55", 16), ("2221", 16), ("34", 15), ("37", 15)])  # fmt: skip
        body = prefix + "".join(
            self.r.choice("0123456789") for _ in range(length - len(prefix) - 1)
        )
        number = body + str(luhn.calc_check_digit(body))
        style = self.r.random()
        if length == 15:
            return f"{number[:4]} {number[4:10]} {number[10:]}" if style < 0.7 else number
        if style < 0.6:
            return " ".join(number[i : i + 4] for i in range(0, 16, 4))
        if style < 0.8:
            return number
        return "-".join(number[i : i + 4] for i in range(0, 16, 4))

    def iban(self, lang: str) -> str:
        country, length = {"da": ("DK", 14), "sv": ("SE", 20), "nb": ("NO", 11),
                           "fi": ("FI", 14), "en": ("GB", 0)}[lang]  # fmt: skip
        while True:
            if country == "GB":
                bban = "NWBK" + "".join(self.r.choice("0123456789") for _ in range(14))
            else:
                bban = "".join(self.r.choice("0123456789") for _ in range(length))
            check = iban.calc_check_digits(country + "00" + bban)
            value = country + check + bban
            if iban.is_valid(value):
                break
        if self.r.random() < 0.7:
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def bank_account(self, lang: str) -> tuple[str, str]:
        """(label, number): the words before the number, and the number."""
        digits = lambda n: "".join(self.r.choice("0123456789") for _ in range(n))  # noqa: E731
        if lang == "da" or lang == "en":
            reg, acc = digits(4), digits(self.r.choice([8, 10]))
            return self.r.choice([("reg.nr. og kontonr.: ", f"{reg} {acc}"),
                                  ("konto: ", f"{reg}-{acc}"), ("kontonummer ", f"{reg} {acc}")])  # fmt: skip
        if lang == "sv":
            clearing = self.r.choice(["8327-9", "6123", "5012", "3300", "9150"])
            return self.r.choice([("clearingnummer och kontonummer: ", f"{clearing}, {digits(3)} {digits(3)} {digits(3)}"),
                                  ("konto ", f"{clearing}-{digits(7)}")])  # fmt: skip
        if lang == "nb":
            while True:
                n = digits(11)
                if kontonr.is_valid(n):
                    break
            return self.r.choice([("kontonummer ", f"{n[:4]}.{n[4:6]}.{n[6:]}"),
                                  ("kontonr: ", f"{n[:4]} {n[4:6]} {n[6:]}")])  # fmt: skip
        return ("tilinumero ", f"{digits(6)}-{digits(self.r.choice([6, 7, 8]))}")

    # --- places -------------------------------------------------------------------------
    def address(self, lang: str) -> str:
        street = self.r.choice(STREETS[lang])
        post, city = self.r.choice(CITIES[lang])
        n = self.r.randint(1, 140)
        if lang == "da":
            unit = self.r.choice(
                ["", "", ", 2. tv.", ", st. th.", ", 1. sal", ", 3.th", "B", " 4, 1. mf."]
            )
            return (
                f"{street} {n}{unit}, {post} {city}"
                if self.r.random() < 0.8
                else f"{street} {n}{unit}"
            )
        if lang == "sv":
            unit = self.r.choice(["", "", " lgh 1102", "B", ", 3 tr"])
            return (
                f"{street} {n}{unit}, {post} {city}"
                if self.r.random() < 0.8
                else f"{street} {n}{unit}"
            )
        if lang == "nb":
            unit = self.r.choice(["", "", "B", ", H0201"])
            return (
                f"{street} {n}{unit}, {post} {city}"
                if self.r.random() < 0.8
                else f"{street} {n}{unit}"
            )
        if lang == "fi":
            unit = self.r.choice(
                ["", f" B {self.r.randint(1, 40)}", f" A {self.r.randint(1, 20)}", ""]
            )
            return (
                f"{street} {n}{unit}, {post} {city}"
                if self.r.random() < 0.8
                else f"{street} {n}{unit}"
            )
        return f"{n} {street}, {city} {post}"

    # --- shop numbers -------------------------------------------------------------------
    def order_number(self) -> str:
        n = "10" + "".join(self.r.choice("0123456789") for _ in range(7))
        return ("#" + n) if self.r.random() < 0.3 else n

    def tracking(self) -> str:
        kind = self.r.choice(["s10", "bring", "gls", "dao", "budbee", "posti"])
        d = lambda n: "".join(self.r.choice("0123456789") for _ in range(n))  # noqa: E731
        if kind == "s10":
            body = d(8)
            weights = (8, 6, 4, 2, 3, 5, 9, 7)
            check = 11 - sum(int(a) * w for a, w in zip(body, weights, strict=True)) % 11
            check = {10: 0, 11: 5}.get(check, check)
            return f"{self.r.choice(['RR', 'CE', 'LX', 'RB', 'UA'])}{body}{check}{self.r.choice(['DK', 'SE'])}"
        if kind == "bring":
            return "370" + d(14)
        if kind == "gls":
            return "5" + d(13)
        if kind == "dao":
            return "00057" + d(9)
        if kind == "budbee":
            return "BUD" + "".join(
                self.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(9)
            )
        return "JJFI" + d(17)

    def token_url(self, lang: str) -> str:
        token = "".join(
            self.r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            for _ in range(28)
        )
        shop = self.r.choice(["butik.example.dk", "shop.example.se", "nettbutikk.example.no",
                              "kauppa.example.fi", "store.example.com"])  # fmt: skip
        return self.r.choice([
            f"https://{shop}/account/reset-password?token={token}",
            f"https://{shop}/ordre/status?email={_ascii(self.first(lang)).lower()}%40gmail.com&id=7781",
            f"https://{shop}/track?session={token}",
            f"https://{shop}/unsubscribe?key={token}&user=88123",
        ])  # fmt: skip

    def ip(self) -> str:
        if self.r.random() < 0.75:
            return ".".join(str(self.r.randint(1, 254)) for _ in range(4))
        groups = [f"{self.r.randint(0, 65535):x}" for _ in range(4)]
        return f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}"

    # --- hard negatives -----------------------------------------------------------------
    def price(self, lang: str) -> str:
        amount = self.r.choice(["299", "1.299,95", "49,50", "2 499", "89", "349,-", "1299"])
        return {"da": f"{amount} kr", "sv": f"{amount} kr", "nb": f"{amount} kr",
                "fi": f"{amount} €", "en": f"£{self.r.randint(5, 300)}"}[lang]  # fmt: skip

    def date(self) -> str:
        d = self._date(2023, 2025)
        return self.r.choice([f"{d:%d.%m.%Y}", f"{d:%Y-%m-%d}", f"{d.day}/{d.month}",
                              f"{d:%d/%m/%Y}", f"{d.day}.{d.month}."])  # fmt: skip

    def sku(self) -> str:
        return self.r.choice([
            "".join(self.r.choice("0123456789") for _ in range(8)),
            f"{self.r.choice(['SKU', 'ART', 'HX'])}-{self.r.randint(1000, 99999)}",
            f"{self.r.randint(100000, 999999)}-{self.r.randint(10, 99)}",
        ])  # fmt: skip

    def bad_cpr(self) -> str:
        return f"{self.r.randint(32, 39)}{self.r.randint(13, 19)}{self.r.randint(10, 99)}-{self.r.randint(1000, 9999)}"

    def bad_card(self) -> str:
        while True:
            n = "4571" + "".join(self.r.choice("0123456789") for _ in range(12))
            if not luhn.is_valid(n):
                return " ".join(n[i : i + 4] for i in range(0, 16, 4))


def _ascii(s: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "a", "ö": "o", "ü": "u",
                           "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "Ä": "A", "Ö": "O", "ı": "i",
                           "ń": "n", "ś": "s", "ł": "l"})  # fmt: skip
    return s.translate(table)


# Templates: {KIND} slots are personal data, {neg:kind} slots are hard negatives, {first} a
# given name alone (a NAME), {name} a full name (a NAME).
TEMPLATES: dict[str, list[str]] = {
    "da": [
        "Hej! Jeg hedder {name} og har bestilt ordre {ORDER} for en uge siden. Hvornår kommer den?",
        "hej jeg har ikke fået min pakke endnu, ordrenummer {ORDER}. min mail er {EMAIL}",
        "Kan I ringe mig på {PHONE}? Det drejer sig om ordre {ORDER} til {neg:price}.",
        "Min adresse er {ADDRESS}. Kan I ændre leveringen?",
        "Pakken skal leveres til {ADDRESS} i stedet, tak",
        "Jeg vil gerne returnere skoene i str 42, de koster {neg:price}. Mvh {first}",
        "Hej, det er {name} her. Sporingsnummer {TRACKING} siger stadig 'undervejs'",
        "Pengene kan sættes ind på {BANK}. Venlig hilsen {name}",
        "Mit CPR-nummer er {ID}, skal I bruge det til kreditten?",
        "Jeg har betalt med kort {CARD} men beløbet er trukket to gange",
        "Vil I overføre pengene til IBAN {IBAN}?",
        "Hvorfor står der fejl på siden {URL}?",
        "Jeg fik en mail med linket {URL} men det virker ikke",
        "Per stk koster de {neg:price}, men i kurven står der mere. Varenr. {neg:sku}",
        "Er varen {neg:sku} på lager i str M? Jeg bor i nærheden af {neg:postcode}",
        "Kan I levere til postnummer {neg:postcode} inden {neg:date}?",
        "Min mand {first} bestilte en jakke {neg:date}, ordre {ORDER}. Hans nummer er {PHONE}",
        "Jeg skrev forkert e-mail: den rigtige er {EMAIL}. Ordren er {ORDER}",
        "Hej\nJeg har fået den forkerte farve. Kan jeg bytte?\n\nMed venlig hilsen\n{name}",
        "Jeg bo'r ikke længere på den gamle adresse, den nye er {ADDRESS}",
        "Tilbuddet på 20% gælder vel til {neg:date}? Jeg har bestilt 3 stk af {neg:sku}",
        "Jeg har prøvet at logge ind fra IP {IP} men bliver afvist",
        "Mark og sol var ikke med i beskrivelsen, men rosen var flot. Ordre {ORDER}",
        "Kan {first} hente pakken for mig? Hun har mobil {PHONE}",
        "Hej {first}, tak for svaret. Jeg har sendt billeder til {EMAIL}",
        "CPR {neg:badcpr} er det rigtige? Nej undskyld, det er {ID}",
        "kortnummer {neg:badcard} blev afvist, prøvede så med {CARD}",
        "Faktura til {name}, {ADDRESS}. Tlf {PHONE}",
    ],
    "sv": [
        "Hej! Jag heter {name} och undrar var mitt paket är. Ordernummer {ORDER}",
        "hej, min beställning {ORDER} har inte kommit. min mejl är {EMAIL}",
        "Ring mig gärna på {PHONE} om leveransen, mvh {first}",
        "Kan ni skicka varorna till {ADDRESS} istället?",
        "Min nya adress är {ADDRESS}",
        "Jag vill returnera jackan i storlek 40, den kostade {neg:price}. Hälsningar {first}",
        "Spårningsnummer {TRACKING} har stått still sedan {neg:date}",
        "Återbetalningen kan gå till {BANK}. Vänliga hälsningar {name}",
        "Mitt personnummer är {ID}, behövs det för delbetalning?",
        "Jag betalade med kortet {CARD} men fick ingen bekräftelse",
        "Kan ni föra över pengarna till IBAN {IBAN}?",
        "Länken {URL} fungerar inte",
        "Artikel {neg:sku} kostar {neg:price}, finns den i storlek 38?",
        "Levererar ni till postnummer {neg:postcode} före {neg:date}?",
        "Min fru {first} beställde {neg:date}, order {ORDER}. Hennes nummer är {PHONE}",
        "Fel mejladress, rätt är {EMAIL}. Ordern är {ORDER}",
        "Hej\nVaran var trasig när den kom.\n\nVänliga hälsningar\n{name}",
        "Rabatten på 15% gäller väl till {neg:date}? Jag köpte 2 st {neg:sku}",
        "Jag försökte logga in från {IP} men blev utloggad",
        "Kan {first} hämta paketet åt mig? Hon har telefon {PHONE}",
        "Tack {first}! Jag skickar kvittot till {EMAIL}",
        "samordningsnummer {ID}, jag har inget personnummer än",
        "Kortet {neg:badcard} nekades, sedan testade jag {CARD}",
        "Faktura till {name}, {ADDRESS}, tel {PHONE}",
        "Klockan 14.30 den {neg:date} var paketet fortfarande kvar på ombudet",
        "Ska jag använda koden SOMMAR20 på ordern {ORDER}?",
    ],
    "nb": [
        "Hei! Jeg heter {name} og lurer på hvor pakken min er. Ordrenummer {ORDER}",
        "hei, bestillingen {ORDER} har ikke kommet. e-posten min er {EMAIL}",
        "Kan dere ringe meg på {PHONE}? Mvh {first}",
        "Kan dere sende varene til {ADDRESS} i stedet?",
        "Ny adresse: {ADDRESS}",
        "Jeg vil returnere buksa i str 32, den kostet {neg:price}. Hilsen {first}",
        "Sporingsnummer {TRACKING} har ikke endret seg siden {neg:date}",
        "Tilbakebetaling til {BANK}. Med vennlig hilsen {name}",
        "Fødselsnummeret mitt er {ID}, trengs det for delbetaling?",
        "Jeg betalte med kort {CARD}, men beløpet ble trukket to ganger",
        "Kan dere overføre til IBAN {IBAN}?",
        "Lenken {URL} virker ikke",
        "Varenummer {neg:sku} koster {neg:price}, har dere den i M?",
        "Leverer dere til postnummer {neg:postcode} før {neg:date}?",
        "Kona mi {first} bestilte {neg:date}, ordre {ORDER}. Nummeret hennes er {PHONE}",
        "Feil e-post, riktig er {EMAIL}. Ordren er {ORDER}",
        "Hei\nVaren var ødelagt da den kom.\n\nMed vennlig hilsen\n{name}",
        "Gjelder 30% rabatt til {neg:date}? Jeg kjøpte 2 stk {neg:sku}",
        "Jeg prøvde å logge inn fra {IP} men ble kastet ut",
        "Kan {first} hente pakken for meg? Hun har mobil {PHONE}",
        "Takk {first}! Jeg sender kvitteringen til {EMAIL}",
        "D-nummeret mitt er {ID}",
        "Kortet {neg:badcard} ble avvist, så prøvde jeg {CARD}",
        "Faktura til {name}, {ADDRESS}, tlf {PHONE}",
        "Pakken lå på posten kl 15.00 {neg:date}, men nå er den borte",
    ],
    "fi": [
        "Hei! Nimeni on {name} ja kysyisin tilauksesta {ORDER}",
        "moi, tilaus {ORDER} ei ole tullut. sähköpostini on {EMAIL}",
        "Voitteko soittaa numeroon {PHONE}? Terveisin {first}",
        "Voitteko toimittaa paketin osoitteeseen {ADDRESS}?",
        "Uusi osoitteeni on {ADDRESS}",
        "Haluan palauttaa takin koossa 38, se maksoi {neg:price}. Terveisin {first}",
        "Seurantakoodi {TRACKING} ei ole päivittynyt {neg:date} jälkeen",
        "Palautus tilille {IBAN}. Ystävällisin terveisin {name}",
        "Henkilötunnukseni on {ID}, tarvitaanko sitä osamaksuun?",
        "Maksoin kortilla {CARD} mutta veloitus tuli kahdesti",
        "Linkki {URL} ei toimi",
        "Tuote {neg:sku} maksaa {neg:price}, onko sitä koossa M?",
        "Toimitatteko postinumeroon {neg:postcode} ennen {neg:date}?",
        "Mieheni {first} tilasi {neg:date}, tilausnumero {ORDER}. Hänen numeronsa on {PHONE}",
        "Väärä sähköposti, oikea on {EMAIL}. Tilaus on {ORDER}",
        "Hei\nTuote oli rikki kun se tuli.\n\nYstävällisin terveisin\n{name}",
        "Onko 25% alennus voimassa {neg:date} asti? Ostin 2 kpl {neg:sku}",
        "Yritin kirjautua osoitteesta {IP} mutta en päässyt sisään",
        "Voiko {first} hakea paketin? Hänen puhelinnumeronsa on {PHONE}",
        "Kiitos {first}! Lähetän kuitin osoitteeseen {EMAIL}",
        "Kortti {neg:badcard} hylättiin, sitten kokeilin {CARD}",
        "Lasku: {name}, {ADDRESS}, puh. {PHONE}",
        "Paketti oli noutopisteessä klo 12.15 {neg:date}",
        "olen tilannut kaksi paitaa, tilaus {ORDER}. Terveisin {name}",
    ],
    "en": [
        "Hi, my name is {name} and I'm waiting for order {ORDER}",
        "hello, my parcel {TRACKING} hasn't moved since {neg:date}. email: {EMAIL}",
        "Could you call me on {PHONE}? Thanks, {first}",
        "Please deliver to {ADDRESS} instead",
        "My new address is {ADDRESS}",
        "I'd like to return the jumper in size M, it was {neg:price}. Regards, {first}",
        "Please refund to my account {IBAN}. Kind regards, {name}",
        "I paid with card {CARD} but was charged twice",
        "The link {URL} doesn't work for me",
        "Is item {neg:sku} at {neg:price} still in stock in size 10?",
        "Do you deliver to {neg:postcode} before {neg:date}?",
        "My wife {first} ordered on {neg:date}, order {ORDER}. Her number is {PHONE}",
        "Wrong email, the right one is {EMAIL}. Order {ORDER}",
        "Hi\nThe item arrived broken.\n\nBest regards\n{name}",
        "Does the 20% discount apply until {neg:date}? I bought 2 of {neg:sku}",
        "I tried logging in from {IP} and got blocked",
        "Can {first} pick up the parcel for me? Her mobile is {PHONE}",
        "Thanks {first}! I'll send the receipt to {EMAIL}",
        "Card {neg:badcard} was declined, then I tried {CARD}",
        "Invoice to {name}, {ADDRESS}, tel {PHONE}",
        "Will Mark & Spencer style sizes fit? I usually wear 42/44",
        "I'm a bit confused about the delivery at 10:30 on {neg:date}",
    ],
}

NEG_POSTCODES = {"da": ["2100", "8000", "5000", "9000"], "sv": ["114 55", "41138"],
                 "nb": ["0150", "5003"], "fi": ["00100", "33100"], "en": ["90210", "LS6"]}  # fmt: skip


def fill(template: str, lang: str, m: Maker) -> tuple[str, list[dict[str, object]]]:
    out = ""
    spans: list[dict[str, object]] = []
    generators: dict[str, Callable[[], tuple[str, str | None, str]]] = {
        "name": lambda: ("", "NAME", m.full_name(lang)),
        "first": lambda: ("", "NAME", m.first(lang)),
        "EMAIL": lambda: ("", "EMAIL", m.email(lang)),
        "PHONE": lambda: ("", "PHONE", m.phone(lang)),
        "ORDER": lambda: ("", "ORDER_NUMBER", m.order_number()),
        "TRACKING": lambda: ("", "TRACKING_NUMBER", m.tracking()),
        "ADDRESS": lambda: ("", "ADDRESS", m.address(lang)),
        "ID": lambda: ("", "NATIONAL_ID", m.national_id(lang)),
        "CARD": lambda: ("", "CARD", m.card()),
        "IBAN": lambda: ("", "IBAN", m.iban(lang)),
        "URL": lambda: ("", "URL", m.token_url(lang)),
        "IP": lambda: ("", "IP", m.ip()),
        "BANK": lambda: _bank(m, lang),
        "neg:price": lambda: ("", None, m.price(lang)),
        "neg:date": lambda: ("", None, m.date()),
        "neg:sku": lambda: ("", None, m.sku()),
        "neg:postcode": lambda: ("", None, m.r.choice(NEG_POSTCODES[lang])),
        "neg:badcpr": lambda: ("", None, m.bad_cpr()),
        "neg:badcard": lambda: ("", None, m.bad_card()),
    }
    pos = 0
    for slot in re.finditer(r"\{([\w:]+)\}", template):
        out += template[pos : slot.start()]
        label, kind, value = generators[slot.group(1)]()
        out += label
        if kind:
            spans.append({"type": kind, "start": len(out), "end": len(out) + len(value)})
        out += value
        pos = slot.end()
    out += template[pos:]
    return out, spans


def _bank(m: Maker, lang: str) -> tuple[str, str, str]:
    label, number = m.bank_account(lang)
    return label, "BANK_ACCOUNT", number


def main() -> None:
    rng = random.Random(SEED)
    maker = Maker(rng)
    rows = []
    for lang, templates in TEMPLATES.items():
        for i in range(PER_LANGUAGE):
            template = (
                templates[i % len(templates)] if i < len(templates) else rng.choice(templates)
            )
            text, spans = fill(template, lang, maker)
            rows.append({"id": f"{lang}-{i:03d}", "lang": lang, "text": text, "spans": spans})
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} messages to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
