"""Order-number and tracking-number formats of the built-in demo shop.

A real shop configures its own formats per tenant; these are the demo tenant's. The privacy
redactor and the bot's flow validators receive them as plain regular expressions.
"""

from __future__ import annotations

# Nine digits starting with 10, e.g. 104827361 (customers sometimes write "#104827361").
DEMO_ORDER_NUMBER_PATTERN = r"(?<![\d])#?10\d{7}(?![\d])"

# One pattern per carrier, matched case-insensitively against the customer's text.
DEMO_TRACKING_PATTERNS: dict[str, str] = {
    "postnord": r"\b[A-Z]{2}\d{9}(?:DK|SE)\b",  # UPU S10, e.g. RB123456785SE
    "posti": r"\bJJFI\d{17}\b",
    "bring": r"\b370\d{14}\b",
    "gls": r"\b5\d{13}\b",
    "dao": r"\b00057\d{9}\b",
    "budbee": r"\bBUD[A-Z0-9]{9}\b",
}
