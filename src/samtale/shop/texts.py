"""What the shop actions say, in the five languages.

`say(key, language, **values)` picks the text (English when a language lacks it) and fills its
`{placeholders}`. Wording follows the demo content's own system messages, so the bot speaks with
one voice whether an answer comes from content or from the shop's data.
"""

from __future__ import annotations

from samtale.shop.models import L

TEXTS: dict[str, dict[str, str]] = {
    # -- tracking --------------------------------------------------------------------------
    "order_found": L(
        "Jeg fandt din ordre {order_number} fra {placed}.",
        "Jag hittade din order {order_number} från {placed}.",
        "Jeg fant ordren din {order_number} fra {placed}.",
        "Löysin tilauksesi {order_number}, tehty {placed}.",
        "I found your order {order_number} from {placed}.",
    ),
    "order_found_plain": L(
        "Jeg fandt din ordre {order_number}.",
        "Jag hittade din order {order_number}.",
        "Jeg fant ordren din {order_number}.",
        "Löysin tilauksesi {order_number}.",
        "I found your order {order_number}.",
    ),
    "order_parcels": L(
        "Den bliver sendt i {count} pakker.",
        "Den skickas i {count} paket.",
        "Den sendes i {count} pakker.",
        "Se lähetetään {count} pakettina.",
        "It is sent in {count} parcels.",
    ),
    "order_unsent": L(
        "Vi har modtaget den, men den er ikke sendt endnu. Vi sender inden for 1 hverdag, og du får en mail med sporingslinket, så snart pakken er på vej.",
        "Vi har tagit emot den, men den har inte skickats än. Vi skickar inom 1 arbetsdag, och du får ett mejl med spårningslänken så fort paketet är på väg.",
        "Vi har mottatt den, men den er ikke sendt ennå. Vi sender innen 1 virkedag, og du får en e-post med sporingslenken så snart pakken er på vei.",
        "Olemme vastaanottaneet sen, mutta sitä ei ole vielä lähetetty. Lähetämme 1 arkipäivän kuluessa, ja saat seurantalinkin sähköpostiisi heti, kun paketti on matkalla.",
        "We have received it, but it hasn't been sent yet. We dispatch within 1 working day, and you'll get an e-mail with the tracking link as soon as the parcel is on its way.",
    ),
    "shipment_line": L(
        "Pakken med {carrier} ({tracking_number}): {status}.",
        "Paketet med {carrier} ({tracking_number}): {status}.",
        "Pakken med {carrier} ({tracking_number}): {status}.",
        "{carrier}-paketti ({tracking_number}): {status}.",
        "Your parcel with {carrier} ({tracking_number}): {status}.",
    ),
    "expected": L(
        "Forventet levering: {date}.",
        "Beräknad leverans: {date}.",
        "Forventet levering: {date}.",
        "Arvioitu toimitus: {date}.",
        "Expected delivery: {date}.",
    ),
    "pickup_at": L(
        "Afhentningssted: {place}.",
        "Utlämningsställe: {place}.",
        "Hentested: {place}.",
        "Noutopiste: {place}.",
        "Pickup point: {place}.",
    ),
    "collect_by": L(
        "Hent den senest {date}.",
        "Hämta det senast {date}.",
        "Hent den senest {date}.",
        "Nouda se viimeistään {date}.",
        "Collect it by {date}.",
    ),
    "latest": L(
        "Seneste: {time} – {event}.",
        "Senaste: {time} – {event}.",
        "Siste: {time} – {event}.",
        "Viimeisin: {time} – {event}.",
        "Latest: {time} – {event}.",
    ),
    "order_not_found": L(
        "Vi kunne ikke finde en ordre med det ordrenummer og den e-mailadresse. Tjek gerne begge dele i din ordrebekræftelse, og prøv igen.",
        "Vi hittade ingen order med det ordernumret och den e-postadressen. Kontrollera gärna båda i din orderbekräftelse och försök igen.",
        "Vi fant ingen ordre med det ordrenummeret og den e-postadressen. Sjekk gjerne begge deler i ordrebekreftelsen og prøv igjen.",
        "Emme löytäneet tilausta tällä tilausnumerolla ja sähköpostiosoitteella. Tarkista molemmat tilausvahvistuksesta ja yritä uudelleen.",
        "We couldn't find an order with that order number and e-mail address. Please check both in your order confirmation and try again.",
    ),
    "shipment_not_found": L(
        "Vi kunne ikke finde en forsendelse med det sporingsnummer. Tjek nummeret i forsendelsesmailen – en ny pakke kan også først spores et par timer efter, at den er sendt.",
        "Vi hittade ingen försändelse med det spårningsnumret. Kontrollera numret i leveransmejlet – ett nytt paket kan också dröja några timmar innan det går att spåra.",
        "Vi fant ingen forsendelse med det sporingsnummeret. Sjekk nummeret i e-posten om forsendelsen – en ny pakke kan også først spores noen timer etter at den er sendt.",
        "Emme löytäneet lähetystä tällä seurantakoodilla. Tarkista koodi lähetysvahvistuksesta – uusi paketti näkyy seurannassa vasta muutaman tunnin kuluttua lähettämisestä.",
        "We couldn't find a shipment with that tracking number. Please check it in your shipping e-mail – a new parcel can also take a few hours to show up in tracking.",
    ),
    "too_many_attempts": L(
        "Der har været for mange opslag på kort tid, så jeg holder en kort pause med at slå op. Prøv igen om lidt, eller tal med en kollega fra kundeservice.",
        "Det har gjorts för många sökningar på kort tid, så jag pausar sökningarna en liten stund. Försök igen om en stund eller prata med en kollega på kundtjänst.",
        "Det har vært for mange oppslag på kort tid, så jeg tar en liten pause med oppslagene. Prøv igjen om litt, eller snakk med en kollega i kundeservice.",
        "Hakuja on tehty lyhyessä ajassa liian monta, joten pidän hakujen kanssa pienen tauon. Kokeile hetken päästä uudelleen tai juttele asiakaspalvelijan kanssa.",
        "There have been too many look-ups in a short time, so I'm pausing them for a little while. Please try again shortly, or talk to one of my colleagues in customer service.",
    ),
    "unavailable": L(
        "Vores system svarer desværre ikke lige nu, så jeg kan ikke slå det op. Prøv igen om lidt, eller tal med en kollega fra kundeservice.",
        "Vårt system svarar tyvärr inte just nu, så jag kan inte kolla upp det. Försök igen om en stund eller prata med en kollega på kundtjänst.",
        "Systemet vårt svarer dessverre ikke akkurat nå, så jeg får ikke sjekket det. Prøv igjen om litt, eller snakk med en kollega i kundeservice.",
        "Järjestelmämme ei valitettavasti vastaa juuri nyt, joten en pysty tarkistamaan asiaa. Kokeile hetken päästä uudelleen tai juttele asiakaspalvelijan kanssa.",
        "Our system isn't responding right now, so I can't look that up. Please try again in a little while, or talk to one of my colleagues in customer service.",
    ),
    # -- products --------------------------------------------------------------------------
    "products_intro": L(
        "Her er det, jeg fandt:",
        "Här är vad jag hittade:",
        "Her er det jeg fant:",
        "Tässä mitä löysin:",
        "Here's what I found:",
    ),
    "products_more": L(
        "Her er flere forslag:",
        "Här är fler förslag:",
        "Her er flere forslag:",
        "Tässä lisää ehdotuksia:",
        "Here are more suggestions:",
    ),
    "products_none": L(
        "Jeg fandt desværre ikke noget, der passer. Prøv at beskrive det med andre ord – fx „sort strikkjole i medium“ – eller søg på https://nordhjem.example/soeg.",
        "Jag hittade tyvärr inget som passar. Försök beskriva det med andra ord – t.ex. ”svart stickad klänning i medium” – eller sök på https://nordhjem.example/soeg.",
        "Jeg fant dessverre ikke noe som passer. Prøv å beskrive det med andre ord – f.eks. «svart strikkekjole i medium» – eller søk på https://nordhjem.example/soeg.",
        "En valitettavasti löytänyt mitään sopivaa. Kokeile kuvailla toisin sanoin – esim. ”musta neulemekko koossa M” – tai hae osoitteessa https://nordhjem.example/soeg.",
        'Sorry, I couldn\'t find anything that fits. Try describing it in other words – e.g. "black knitted dress in medium" – or search at https://nordhjem.example/soeg.',
    ),
    "products_no_more": L(
        "Det var alt, jeg kunne finde. Prøv gerne at søge med andre ord.",
        "Det var allt jag kunde hitta. Försök gärna söka med andra ord.",
        "Det var alt jeg fant. Prøv gjerne å søke med andre ord.",
        "Siinä kaikki, mitä löysin. Kokeile hakea muilla sanoilla.",
        "That's everything I could find. Try searching with other words.",
    ),
    "filters_relaxed": L(
        "Jeg fandt ikke noget, der passer til alt, du skrev, men her er det nærmeste:",
        "Jag hittade inget som passar allt du skrev, men här är det närmaste:",
        "Jeg fant ikke noe som passer til alt du skrev, men her er det nærmeste:",
        "En löytänyt mitään, mikä vastaisi kaikkea kirjoittamaasi, mutta tässä lähimmät:",
        "I couldn't find anything that matches everything you wrote, but here's the closest:",
    ),
    "price_of": L(
        "{name} koster {price}.",
        "{name} kostar {price}.",
        "{name} koster {price}.",
        "{name} maksaa {price}.",
        "{name} costs {price}.",
    ),
    "material_of": L(
        "{name} er lavet af {material}.",
        "{name} är tillverkad av {material}.",
        "{name} er laget av {material}.",
        "{name}: materiaali {material}.",
        "{name} is made of {material}.",
    ),
    "care_of": L(
        "Vaskeanvisning for {name}: {care}",
        "Skötselråd för {name}: {care}",
        "Vaskeanvisning for {name}: {care}",
        "Hoito-ohje, {name}: {care}",
        "Care for {name}: {care}",
    ),
    "stock_yes": L(
        "Ja, {name} i {variant} er på lager ({count} stk.).",
        "Ja, {name} i {variant} finns i lager ({count} st.).",
        "Ja, {name} i {variant} er på lager ({count} stk.).",
        "Kyllä, {name} ({variant}) on varastossa ({count} kpl).",
        "Yes, {name} in {variant} is in stock ({count} left).",
    ),
    "stock_few": L(
        "Ja, men der er kun {count} tilbage af {name} i {variant}.",
        "Ja, men det finns bara {count} kvar av {name} i {variant}.",
        "Ja, men det er bare {count} igjen av {name} i {variant}.",
        "Kyllä, mutta tuotetta {name} ({variant}) on jäljellä vain {count} kpl.",
        "Yes, but there are only {count} left of {name} in {variant}.",
    ),
    "stock_no": L(
        "{name} i {variant} er desværre udsolgt lige nu.",
        "{name} i {variant} är tyvärr slutsåld just nu.",
        "{name} i {variant} er dessverre utsolgt akkurat nå.",
        "{name} ({variant}) on valitettavasti loppuunmyyty juuri nyt.",
        "Sorry, {name} in {variant} is sold out right now.",
    ),
    "stock_sizes": L(
        "{name} fås i {colour} i disse størrelser: {sizes}.",
        "{name} finns i {colour} i de här storlekarna: {sizes}.",
        "{name} fås i {colour} i disse størrelsene: {sizes}.",
        "{name} ({colour}) on saatavilla näissä ko'oissa: {sizes}.",
        "{name} in {colour} is in stock in these sizes: {sizes}.",
    ),
    "stock_none_in_colour": L(
        "{name} er desværre udsolgt i {colour}.",
        "{name} är tyvärr slutsåld i {colour}.",
        "{name} er dessverre utsolgt i {colour}.",
        "{name} on valitettavasti loppuunmyyty värissä {colour}.",
        "Sorry, {name} is sold out in {colour}.",
    ),
    "no_such_colour": L(
        "{name} findes ikke i {colour}, men i {colours}.",
        "{name} finns inte i {colour}, men i {colours}.",
        "{name} finnes ikke i {colour}, men i {colours}.",
        "Tuotetta {name} ei ole värissä {colour}, mutta se on saatavilla väreissä {colours}.",
        "{name} doesn't come in {colour}, but it does in {colours}.",
    ),
    "no_such_size": L(
        "{name} findes ikke i størrelse {size}. Størrelserne er {sizes}.",
        "{name} finns inte i storlek {size}. Storlekarna är {sizes}.",
        "{name} finnes ikke i størrelse {size}. Størrelsene er {sizes}.",
        "Tuotetta {name} ei ole koossa {size}. Koot ovat {sizes}.",
        "{name} doesn't come in size {size}. The sizes are {sizes}.",
    ),
    "colours_of": L(
        "{name} fås i {colours}.",
        "{name} finns i {colours}.",
        "{name} fås i {colours}.",
        "{name} on saatavilla väreissä {colours}.",
        "{name} comes in {colours}.",
    ),
    "size_word": L(
        "størrelse {size}", "storlek {size}", "størrelse {size}", "koko {size}", "size {size}"
    ),
    "and": L("og", "och", "og", "ja", "and"),
    "show_more": L("Vis flere", "Visa fler", "Vis flere", "Näytä lisää", "Show more"),
    "other_colours": L(
        "Andre farver", "Andra färger", "Andre farger", "Muut värit", "Other colours"
    ),
    # -- delivery and payment --------------------------------------------------------------
    "delivery_intro": L(
        "Levering til {country_to}:",
        "Leverans till {country_to}:",
        "Levering til {country_to}:",
        "Toimitus {country_to}:",
        "Delivery to {country_to}:",
    ),
    "delivery_line": L(
        "{name} ({carriers}): {price}{free}, {days} hverdage",
        "{name} ({carriers}): {price}{free}, {days} arbetsdagar",
        "{name} ({carriers}): {price}{free}, {days} virkedager",
        "{name} ({carriers}): {price}{free}, {days} arkipäivää",
        "{name} ({carriers}): {price}{free}, {days} working days",
    ),
    "free_over": L(
        " – gratis ved køb over {amount}",
        " – fri frakt över {amount}",
        " – gratis over {amount}",
        " – maksuton yli {amount} tilauksiin",
        " – free over {amount}",
    ),
    "dispatch": L(
        "Bestiller du på en hverdag inden kl. 14, sender vi samme dag. Du vælger leveringsmåde i kassen.",
        "Beställer du en vardag före kl. 14 skickar vi samma dag. Du väljer leveranssätt i kassan.",
        "Bestiller du på en hverdag før kl. 14, sender vi samme dag. Du velger leveringsmåte i kassen.",
        "Kun tilaat arkipäivänä ennen klo 14, lähetämme samana päivänä. Valitset toimitustavan kassalla.",
        "Order on a weekday before 2 pm and we dispatch the same day. You choose the delivery method at checkout.",
    ),
    "delivery_elsewhere": L(
        "Vi leverer desværre kun til Danmark, Sverige, Norge og Finland.",
        "Vi levererar tyvärr bara till Sverige, Danmark, Norge och Finland.",
        "Vi leverer dessverre bare til Norge, Danmark, Sverige og Finland.",
        "Toimitamme valitettavasti vain Suomeen, Ruotsiin, Norjaan ja Tanskaan.",
        "Sorry, we only deliver to Denmark, Sweden, Norway and Finland.",
    ),
    "payment_intro": L(
        "{country_in} kan du betale med:",
        "{country_in} kan du betala med:",
        "{country_in} kan du betale med:",
        "{country_in} voit maksaa näillä tavoilla:",
        "{country_in} you can pay by:",
    ),
    "payment_after": L(
        "Vi trækker først pengene, når ordren sendes.",
        "Vi drar pengarna först när ordern skickas.",
        "Vi trekker pengene først når ordren sendes.",
        "Veloitamme summan vasta, kun tilaus lähetetään.",
        "We only take the money when your order is sent.",
    ),
    "other_countries": L(
        "Andre lande:", "Andra länder:", "Andre land:", "Muut maat:", "Other countries:"
    ),
}

STATUS: dict[str, dict[str, str]] = {
    "unsent": L("ikke sendt endnu", "inte skickad än", "ikke sendt ennå", "ei vielä lähetetty",
                "not sent yet"),
    "created": L("pakken er pakket og venter på at blive hentet af fragtfirmaet",
                 "paketet är packat och väntar på att hämtas av fraktbolaget",
                 "pakken er pakket og venter på å bli hentet av transportøren",
                 "paketti on pakattu ja odottaa kuljetusyhtiön noutoa",
                 "packed and waiting to be collected by the carrier"),
    "handed_to_carrier": L("afleveret til fragtfirmaet", "överlämnat till fraktbolaget",
                           "levert til transportøren", "luovutettu kuljetusyhtiölle",
                           "handed to the carrier"),
    "in_transit": L("på vej", "på väg", "på vei", "matkalla", "on its way"),
    "out_for_delivery": L("ude til levering i dag", "ute för leverans i dag",
                          "ute for levering i dag", "jakelussa tänään",
                          "out for delivery today"),
    "at_pickup_point": L("klar til afhentning", "redo att hämtas", "klar til henting",
                         "valmis noudettavaksi", "ready for pickup"),
    "delivered": L("leveret", "levererat", "levert", "toimitettu", "delivered"),
    "delayed": L("forsinket", "försenat", "forsinket", "viivästynyt", "delayed"),
    "returned": L("sendt retur til os", "returnerat till oss", "returnert til oss",
                  "palautunut meille", "returned to us"),
}  # fmt: skip

EVENTS: dict[str, dict[str, str]] = {
    "created": L("Pakkelabel oprettet", "Fraktsedel skapad", "Pakkelapp opprettet",
                 "Osoitekortti luotu", "Label created"),
    "handed_to_carrier": L("Afleveret til fragtfirmaet", "Överlämnat till fraktbolaget",
                           "Levert til transportøren", "Luovutettu kuljetusyhtiölle",
                           "Handed to the carrier"),
    "at_terminal": L("Ankommet til terminal", "Ankommit till terminal", "Ankommet terminal",
                     "Saapunut terminaaliin", "Arrived at terminal"),
    "departed_terminal": L("Afgået fra terminal", "Lämnat terminalen", "Forlatt terminal",
                           "Lähtenyt terminaalista", "Left the terminal"),
    "customs": L("Fortoldet", "Förtullat", "Fortollet", "Tullattu", "Cleared customs"),
    "delayed": L("Forsinket", "Försenat", "Forsinket", "Viivästynyt", "Delayed"),
    "out_for_delivery": L("Ude til levering", "Ute för leverans", "Ute for levering",
                          "Jakelussa", "Out for delivery"),
    "delivery_attempted": L("Forsøgt leveret – ingen hjemme", "Leveransförsök – ingen hemma",
                            "Forsøkt levert – ingen hjemme", "Toimitusyritys – ei tavoitettu",
                            "Delivery attempted – nobody home"),
    "at_pickup_point": L("Klar til afhentning", "Redo att hämtas", "Klar til henting",
                         "Valmis noudettavaksi", "Ready for pickup"),
    "delivered": L("Leveret", "Levererat", "Levert", "Toimitettu", "Delivered"),
    "not_collected": L("Ikke afhentet", "Inte uthämtat", "Ikke hentet", "Noutamatta",
                       "Not collected"),
    "return_in_transit": L("På vej retur", "På väg tillbaka", "På vei i retur",
                           "Palautuu lähettäjälle", "On its way back"),
    "returned": L("Modtaget retur hos os", "Mottaget i retur hos oss", "Mottatt i retur hos oss",
                  "Palautunut meille", "Returned to us"),
    "other": L("Opdatering fra fragtfirmaet", "Uppdatering från fraktbolaget",
               "Oppdatering fra transportøren", "Päivitys kuljetusyhtiöltä",
               "Update from the carrier"),
}  # fmt: skip

DELAY_REASONS: dict[str, dict[str, str]] = {
    "weather": L("på grund af vejret", "på grund av vädret", "på grunn av været",
                 "sääolosuhteiden vuoksi", "because of the weather"),
    "volume": L("på grund af mange pakker", "på grund av många paket", "på grunn av mange pakker",
                "suuren pakettimäärän vuoksi", "because of high parcel volumes"),
    "sorting": L("ved sorteringen", "vid sorteringen", "ved sorteringen", "lajittelussa",
                 "at sorting"),
}  # fmt: skip

# "to Denmark" / "in Denmark" where a language inflects the country's name.
COUNTRY_TO: dict[str, dict[str, str]] = {
    "DK": L("Danmark", "Danmark", "Danmark", "Tanskaan", "Denmark"),
    "SE": L("Sverige", "Sverige", "Sverige", "Ruotsiin", "Sweden"),
    "NO": L("Norge", "Norge", "Norge", "Norjaan", "Norway"),
    "FI": L("Finland", "Finland", "Finland", "Suomeen", "Finland"),
}
COUNTRY_IN: dict[str, dict[str, str]] = {
    "DK": L("I Danmark", "I Danmark", "I Danmark", "Tanskassa", "In Denmark"),
    "SE": L("I Sverige", "I Sverige", "I Sverige", "Ruotsissa", "In Sweden"),
    "NO": L("I Norge", "I Norge", "I Norge", "Norjassa", "In Norway"),
    "FI": L("I Finland", "I Finland", "I Finland", "Suomessa", "In Finland"),
}


def say(key: str, language: str, **values: object) -> str:
    texts = TEXTS[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text


def pick_text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def join_words(items: list[str], language: str) -> str:
    """ "a, b og c" in the customer's language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say('and', language)} {items[-1]}"
