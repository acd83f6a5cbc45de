"""Word lists for the name recognizer: given names, surnames and cities, and the common words
that must never be taken for a name.

Given names, surnames and city names are read once, on first use, from the person and address
data that two installed packages ship: `faker` (its da_DK, sv_SE, no_NO, fi_FI, en and other
providers, parsed as source so that faker itself is not imported) and `mimesis` (its JSON
locale files). Only compact frozensets of lowercased words are kept.

The hand-written lists below are what those name lists cannot know: the Nordic and English
words that are also names (`Bo`, `Per`, `Mark`, `Sol`, `Hans` = "his", `Will`, `May` ...),
sentence openers and function words, months and weekdays, and brands that look like people.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

# Locales whose people a Nordic web shop meets: the Nordic ones and English first, then the
# largest groups of newer Nordic residents and neighbours.
_CORE_FAKER = ("da_DK", "sv_SE", "no_NO", "fi_FI", "en_US", "en_GB", "en_IE", "is_IS")
_WIDE_FAKER = (
    "de_DE", "nl_NL", "pl_PL", "tr_TR", "en_IN", "es_ES", "it_IT", "fr_FR", "et_EE", "lt_LT",
    "lv_LV", "de_AT", "en_AU", "en_CA", "pt_PT", "hr_HR", "sk_SK", "cs_CZ", "hu_HU", "ro_RO",
)  # fmt: skip
_CORE_MIMESIS = ("da", "sv", "no", "fi", "en", "is")
_WIDE_MIMESIS = ("de", "nl", "pl", "tr", "es", "it", "fr", "et", "hr", "hu", "cs", "sk", "pt")
_CITY_FAKER = ("da_DK", "sv_SE", "no_NO", "fi_FI")
_CITY_MIMESIS = ("da", "sv", "no", "fi")


def _package_dir(name: str) -> str | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(iter(spec.submodule_search_locations))


def _faker_strings(kind: str, locale: str, wanted: Iterable[str]) -> set[str]:
    """String constants assigned to the wanted names in one faker provider's source."""
    base = _package_dir("faker")
    if base is None:
        return set()
    path = os.path.join(base, "providers", kind, locale, "__init__.py")
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError):
        return set()
    wanted = tuple(wanted)
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        if not any(isinstance(t, ast.Name) and t.id.startswith(wanted) for t in node.targets):
            continue
        for c in ast.walk(node.value):
            if isinstance(c, ast.Constant) and isinstance(c.value, str):
                out.add(c.value)
    return out


def _mimesis_json(locale: str, name: str) -> dict[str, object]:
    base = _package_dir("mimesis")
    if base is None:
        return {}
    try:
        with open(os.path.join(base, "datasets", locale, name), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _flatten(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, list):
        for v in value:
            yield from _flatten(v)


def _words(values: Iterable[str]) -> set[str]:
    """Lowercased single words (a double name contributes each part) of two letters or more."""
    out: set[str] = set()
    for value in values:
        for part in value.replace("-", " ").split():
            part = part.strip(".,'’()")
            if len(part) >= 2 and part.isalpha() and part[0].isupper():
                out.add(part.lower())
    return out


@dataclass(frozen=True)
class NameLists:
    core_first: frozenset[str]  # given names of the Nordic countries and English
    wide_first: frozenset[str]  # given names of other European and larger resident groups
    surnames: frozenset[str]
    cities: frozenset[str]
    # Given names and surnames of every other locale the two packages know, in Latin letters:
    # the people of world news. Only the model reads them, as a weak hint beside the context.
    world_first: frozenset[str] = frozenset()
    world_surnames: frozenset[str] = frozenset()


def _latin(word: str) -> bool:
    return all(ord(c) <= 0x24F for c in word)


def _all_locales(package: str, *parts: str) -> list[str]:
    base = _package_dir(package)
    if base is None:
        return []
    try:
        return sorted(
            d for d in os.listdir(os.path.join(base, *parts)) if not d.startswith(("_", "."))
        )
    except OSError:
        return []


@functools.cache
def name_lists() -> NameLists:
    core_first: set[str] = set(COMMON_FIRST)
    wide_first: set[str] = set()
    surnames: set[str] = set(SURNAMES_EXTRA)
    for loc in _CORE_FAKER:
        core_first |= _words(_faker_strings("person", loc, ("first_name",)))
        surnames |= _words(_faker_strings("person", loc, ("last_name",)))
    for loc in _WIDE_FAKER:
        wide_first |= _words(_faker_strings("person", loc, ("first_name",)))
        surnames |= _words(_faker_strings("person", loc, ("last_name",)))
    # mimesis's given names include many historical and rare ones: they count inside a
    # sentence, but a sentence-initial word is judged on the sharper lists only.
    for loc in _CORE_MIMESIS + _WIDE_MIMESIS:
        person = _mimesis_json(loc, "person.json")
        wide_first |= _words(_flatten(person.get("names", {})))
        surnames |= _words(_flatten(person.get("surnames", {})))
    cities: set[str] = set(CITIES_EXTRA)
    for loc in _CITY_FAKER:
        cities |= {c.lower() for c in _faker_strings("address", loc, ("cities", "city"))}
    for loc in _CITY_MIMESIS:
        cities |= {c.lower() for c in _flatten(_mimesis_json(loc, "address.json").get("city", []))}
    cities -= COMMON_FIRST | SURNAMES_EXTRA
    not_names = COMMON_WORDS | MONTHS_AND_DAYS | cities | NOT_NAMES
    core = core_first - not_names
    world_first: set[str] = set()
    world_surnames: set[str] = set()
    for loc in _all_locales("faker", "providers", "person"):
        if loc not in _CORE_FAKER + _WIDE_FAKER:
            world_first |= _words(_faker_strings("person", loc, ("first_name",)))
            world_surnames |= _words(_faker_strings("person", loc, ("last_name",)))
    for loc in _all_locales("mimesis", "datasets"):
        if loc not in _CORE_MIMESIS + _WIDE_MIMESIS:
            person = _mimesis_json(loc, "person.json")
            world_first |= _words(_flatten(person.get("names", {})))
            world_surnames |= _words(_flatten(person.get("surnames", {})))
    wide = wide_first - core - not_names
    return NameLists(
        core_first=frozenset(core),
        wide_first=frozenset(wide),
        surnames=frozenset(surnames - not_names),
        cities=frozenset(cities),
        world_first=frozenset(w for w in world_first - core - wide - not_names if _latin(w)),
        world_surnames=frozenset(w for w in world_surnames - surnames - not_names if _latin(w)),
    )


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Given names that are also everyday words in one of the five languages. They count as names
# only with more evidence: a surname next to them, an introduction ("jeg hedder Bo"), a
# signature, or a capital letter in the middle of a sentence when they are a name that no
# brand or noun shares.
AMBIGUOUS_FIRST = _set(
    """
    bo per mark ask tove rose lise sol vild vilde karin hans ole ida sten eik dag liv ny mai maj
    max frank fred håp rune siv tage kai kaj kaja bent storm vinter sommer björn bjørn ulv ørn
    orm ravn stig sig lykke hav malm vide lo tine tia viola lilja lilje jo bror finn love tom
    kris live lone helle gry ebbe my tea mo else rita gun signe lærke saga bue dyre aske birk
    gran lin klara ellen inga aina andre andreas even eli jona jonne mina sina dina mille
    april juni june may august augusta will bill art rich grace hope faith joy dawn ruby pearl
    amber holly ivy lily daisy violet heather olive sky river brook forest page chase hunter
    gene guy jack jean ray sue pat rob don ken nick dick jay king earl duke prince baron major
    summer autumn winter sunny patience honor noble rocky dusty rusty buck dale glen lane clay
    cliff
    tuuli lumi sade aamu ilta onni toivo usko armas aino aarre taimi into vieno satu tähti
    kukka ruusu lahja tyyne lempi suvi kesä hilla sini vilja helmi elo ilo aura meri tuomi
    pilvi
    """
)

# Words that open sentences or tie them together, in the five languages; capitalised at the
# start of a sentence they look like names in the wider lists (Turkish "Can", Dutch "Dan" ...).
COMMON_WORDS = _set(
    """
    hej hey hi hello hallo hejsa hejhej goddag godmorgen godaften morn moin tak takk tack
    kiitos thanks thank thx ok okay ja jo nej nei nej nope yes no moi terve hei heippa
    jeg jag eg du han hun hon hen vi de dem den det dette denne disse dere ni er är on
    min mit mine din dit dine sin sit sine vår vårt våre vores jeres deres hans hennes hendes
    mig meg dig deg sig seg os oss er jer minä sinä hän me te he se ne tämä tuo nämä
    i me my mine your our their his her its we they you it this that these those there
    og och ja and or eller tai men mutta but for fordi därför koska because så so sitten
    hvis om jos if when hvornår hvor hvad hvem hvilken hvorfor hvordan var vad vem vilken
    varför hur hva hvem hvilke hvorfor hvordan mikä missä milloin miksi kuka miten
    what where who which why how when kan kunne vil ville skal skulle må måtte bør
    kan kunde ska skulle vill måste får fick kanske can could will would shall should
    must may might voin voitko voisitko voisi pitää
    der her där här ikke ikkje inte ei not ingen inget intet ingen ikke
    en et ett ei a an the den det alle all alla kaikki hver varje every each
    efter etter after før innan before under over med mit with uden utan without
    til till to fra från from på på on in i ud ut out op upp up ned ner down
    jeg jag også også också myös also too nu nå now da då then så
    god godt gode bra hyvä good fin fint fine nice dejlig
    har have has had haft hade hatte fik fikk got get gav give
    ny nye ny nya new gammel gamle old vanha uusi
    hilsen hälsningar terveisin regards mvh vh vänligen venlig vennlig
    kære kjære bästa hyvä dear hejsan tjena tjenare
    mand kvinde man kvinna mies nainen woman
    kunde kunder kund kunder asiakas customer
    pakke paket paketti package parcel ordre order tilaus beställning bestilling
    varer vara varor tuote item product produkt
    levering leverans toimitus delivery retur return palautus
    betaling betalning maksu payment faktura lasku invoice
    storlek størrelse størrelse koko size farve farge färg väri colour color
    alt are asti del ha into kort lave lilla many monet noe nor olen oli olin other see
    seem sille store ta toki ute ainoa beste detta ene enn era fem first goda heller heti
    jonka la lav lille made mihin neste nine ses tule us via vid över af alas allas andra as
    back bak bris due end foran gott ham hel hers just kamp lad lätt mens mitt more name
    noone re sama sen sexton skriver som thus tok top vain vasta well kære kjære kiitos
    ystävällisin parhain terveisin venlig venlige vennlig vänliga vänlig bedste beste best
    kind kindly sincerely yours cheers bil skær bank pool job lang sagen høj kina aids
    danske svenske norske finske danish swedish norwegian finnish prisen ring
    i'm i'd i'll i've you're you've you'll it's that's there's here's what's let's we're
    we've they're he's she's don't doesn't didn't can't won't isn't aren't wasn't
    """
)

MONTHS_AND_DAYS = _set(
    """
    januar februar marts april maj juni juli august september oktober november december
    januari februari mars maj juni juli augusti
    mars mai desember
    tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu
    marraskuu joulukuu
    january february march may june july october
    mandag tirsdag onsdag torsdag fredag lørdag søndag måndag tisdag lördag söndag
    maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai
    monday tuesday wednesday thursday friday saturday sunday
    jul julen påske påsk pääsiäinen joulu christmas easter nytår nyår
    """
)

# Capitalised words in shop conversations that the name lists happen to hold.
NOT_NAMES = _set(
    """
    nike adidas puma apple samsung sony lego ikea ecco zara mango gucci prada levis
    iphone ipad android google facebook instagram tiktok snapchat youtube
    postnord gls dao bring posti budbee dhl ups fedex instabox helthjem porterbuddy
    mobilepay vipps swish klarna paypal visa mastercard dankort amex maestro
    black friday cyber monday mr mrs ms dr hr fru frk herr rouva herra sir madam
    dk se no fi eu uk usa eur dkk sek nok
    danmark sverige norge suomi finland denmark sweden norway england europa europe
    dansk svensk norsk suomi english engelsk
    reuters ritzau ntb stt afp dpa bloomberg
    iban bic swift cpr pin sms mail email gmail hotmail outlook mvh pdf url www http https
    """
)

# Brands and shops whose names are people's names; the whole phrase is not a person.
BRANDS = frozenset(
    s.lower()
    for s in (
        "Bang & Olufsen", "Georg Jensen", "Tommy Hilfiger", "Calvin Klein", "Ralph Lauren",
        "Hugo Boss", "Michael Kors", "Marc Jacobs", "Jack & Jones", "Vero Moda", "Levi's",
        "Dr. Martens", "Mads Nørgaard", "Malene Birger", "By Malene Birger", "Henrik Vibskov",
        "Kay Bojesen", "Carl Hansen", "Fritz Hansen", "Louis Poulsen", "Arne Jacobsen",
        "Søstrene Grene", "Helly Hansen", "Filippa K", "Tiger of Sweden", "Hanna Andersson",
        "Gina Tricot", "Ole Lynggaard", "Ivana Helsinki", "Samsøe Samsøe", "Wood Wood",
        "Ted Baker", "Paul Smith", "Tom Ford", "Stella McCartney", "Karl Lagerfeld",
        "Christian Dior", "Yves Saint Laurent", "Jimmy Choo", "Vivienne Westwood",
        "Kate Spade", "Steve Madden", "Hummel", "Rosendahl", "Kähler", "Eva Solo",
        "Stelton", "Bodum", "Peter Larsen", "Aiayu", "Rains", "Pieces", "Only",
        "Jensens Bøfhus", "Anton Berg", "Toms", "Kims", "Carl Jacobsen", "Marks & Spencer",
        "Mark & Spencer", "Marks and Spencer", "Ben & Jerry's", "Dolce & Gabbana",
    )
)  # fmt: skip

# Larger Nordic cities and districts the generic lists may lack.
CITIES_EXTRA = _set(
    """
    københavn kobenhavn copenhagen aarhus århus odense aalborg ålborg esbjerg randers kolding
    horsens vejle roskilde herning silkeborg næstved frederiksberg gentofte hellerup valby
    vanløse brønshøj amager østerbro nørrebro vesterbro lyngby holte hillerød helsingør
    stockholm göteborg goteborg malmö malmo uppsala västerås örebro linköping helsingborg
    jönköping norrköping lund umeå gävle borås södertälje solna sundbyberg
    oslo bergen trondheim stavanger drammen fredrikstad kristiansand sandnes tromsø
    sarpsborg skien ålesund sandefjord haugesund tønsberg moss bodø arendal hamar larvik
    helsinki helsingfors espoo tampere vantaa oulu turku åbo jyväskylä lahti kuopio pori
    joensuu lappeenranta hämeenlinna vaasa rovaniemi seinäjoki kotka porvoo
    london manchester birmingham leeds glasgow edinburgh dublin berlin hamburg paris
    amsterdam
    """
)

# Everyday given names of the five countries and of their larger resident groups, for the
# names that the packaged lists (thin for Danish and Norwegian) lack.
COMMON_FIRST = _set(
    """
    peter jens lars michael henrik søren thomas jan niels christian martin jørgen anders hans
    morten per jesper ole erik rasmus mads poul kim mikkel frederik daniel kasper torben bo
    claus jakob lasse steen brian kenneth simon tobias niklas nikolaj kristian carsten
    flemming finn allan bent bjarne preben leif svend knud kurt keld kjeld karsten klaus bjørn
    dennis jonas emil oliver william noah lucas victor magnus mathias alexander sebastian anton
    oscar carl valdemar aksel alfred malthe elias august arthur benjamin jacob philip johan
    gustav sune ulrik troels thorbjørn palle ib erling arne gert helge frits jørn john johnny
    tommy rené ronni jimmi henning holger otto villy willy egon verner werner vagn aage ejner
    einar gunnar harald ivan jannik janus jeppe joachim jonathan kaj kristoffer lauge laurits
    lukas mogens nicolai ove rune sten tage tonny torsten uffe viggo asger bertil birger casper
    esben frank glenn jimmy kåre mikael anne kirsten mette hanne anna helle susanne lene maria
    marianne lone camilla pia louise charlotte tina gitte bente jette karen lise inge birgit ida
    julie emma sofie freja clara laura ella alma agnes ellen karla olivia mathilde signe cecilie
    katrine rikke malene trine dorthe heidi maja mia nanna line sara stine christina christine
    birthe else grethe ingrid ruth ulla vibeke winnie yvonne annette jytte lisbeth merete tove
    karin anja berit britt connie dorte eva gunhild hanna henriette jane janni jeanette
    josefine kamilla lærke liv lykke marie mille nina pernille rebecca sanne sidsel sofia susan
    tanja tenna thea tilde vera victoria vigga agnete astrid ditte ea frida hedvig isabella
    johanne josephine klara lea luna molly nora rosa silje selma solveig asta esther ellinor
    elna elsebeth gudrun hjørdis inger kamma kirstine lis lisa margrethe mona ragnhild sonja
    bodil dagmar edith elise erna estrid gerda gertrud helga herdis jenny kathrine lotte marlene
    karl nils olof lennart sven fredrik bengt kent stefan göran åke mats ulf christer kjell
    stig håkan mattias rolf oskar roger robert hugo liam adam axel vincent theo ludvig isak
    viktor filip albin melvin måns torbjörn pär jörgen börje gösta sixten ingvar tore margareta
    elisabeth kristina birgitta linnéa kerstin lena helena ingegerd johanna katarina malin
    cecilia annika linda elin monica gunilla ulrika åsa anneli julia ebba alice elsa wilma
    stella alva tilda matilda moa lova tyra gun siv agneta ann anette carina gunnel märta sanna
    therese viktoria josefin emelie jessica madeleine petra pernilla bjørn knut svein geir tor
    terje odd trond jon eirik espen håkon sindre sigurd even øyvind stian vegard audun halvor
    torstein ståle iver sander johannes olav oddvar asbjørn eivind petter roar sverre trygve
    vidar steinar ivar frode jostein ketil bård tarjei kari marit bjørg hilde randi kristin
    ingeborg tone turid gro sigrid torill wenche unni siri tonje hege guro synnøve ane emilie
    leah vilde ingvild eli åse aud gunn jorunn kjersti linn mari marte oda runa sunniva tuva
    åshild dagny kaja ragna juhani olavi antero tapani kalevi matti timo pekka mikko jari antti
    jukka markku juha heikki hannu seppo ilkka janne petri sami ville tuomas lauri jussi teemu
    toni joni aleksi eero veikko erkki pentti raimo esa vesa jarmo harri kimmo pasi jyrki marko
    tero risto arto reijo eino väinö onni leevi eetu niko oskari aatu veeti akseli lenni
    eemeli topias joonas henri samuli tommi arttu jani jouni keijo olli pertti rauno sakari
    tapio unto urho vilho kaarina marjatta liisa annikki hannele tuula päivi leena pirjo sari
    minna tiina riitta marja merja kirsi satu sirpa eila aino eveliina emilia aada venla iida
    helmi lilja elli siiri pihla kerttu ilona hilla veera noora jenni katja elina susanna terhi
    outi ritva raija sinikka tarja arja seija kaija marita pirkko suvi maarit milla nea oona
    saara james robert david richard joseph charles christopher matthew anthony mark steven
    paul andrew joshua kevin george edward ronald timothy jason jeffrey ryan gary nicholas eric
    stephen larry justin scott brandon samuel gregory patrick jack jerry tyler aaron henry
    nathan zachary harry charlie alfie freddie archie mary patricia jennifer elizabeth barbara
    ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie sharon
    cynthia kathleen amy shirley angela helen brenda pamela nicole samantha katherine amelia
    isla ava sophie chloe lucy grace evie poppy mohammed mohammad muhammad mohamed ahmed ahmad
    ali omar hassan hussein mustafa ibrahim yusuf youssef abdullah mahmoud khalid karim amir
    hamza bilal fatima aisha ayesha maryam mariam zainab amina layla leila noor yasmin hiba
    mehmet ahmet emre murat ayşe elif zeynep emine hatice piotr krzysztof tomasz paweł marcin
    agnieszka katarzyna małgorzata joanna magdalena andrzej aleksandra dmitri sergei olga
    natalia irina svetlana oksana olena yuliia andrii jamal abdi abdirahman faisal hodan
    """
)

SURNAMES_EXTRA = _set(
    """
    nielsen jensen hansen pedersen andersen christensen larsen sørensen rasmussen jørgensen
    petersen madsen kristensen olsen thomsen christiansen poulsen johansen møller mortensen
    knudsen jakobsen mikkelsen frederiksen laursen henriksen lund schmidt eriksen holm
    kristiansen clausen simonsen svendsen andreasen iversen jeppesen mogensen jacobsen nissen
    carlsen lauridsen kjær østergaard vestergaard nørgaard bach dahl lassen berg jepsen
    søndergaard kjeldsen friis bak skov overgaard koch krogh lind thygesen bruun winther dam
    kofoed bech nygaard juhl toft ravn brandt bang høj mathiesen christoffersen lorentzen
    gregersen dalgaard mølgaard andersson johansson karlsson nilsson eriksson larsson olsson
    persson svensson gustafsson pettersson jonsson jansson hansson bengtsson jönsson lindberg
    jakobsson magnusson lindström olofsson lindqvist lindgren axelsson bergström lundberg
    lundgren lundqvist mattsson berglund fredriksson sandberg henriksson forsberg sjöberg wallin
    engström eklund danielsson lundin håkansson björk bergman gunnarsson wikström samuelsson
    isaksson fransson bergqvist nyström holmberg arvidsson löfgren söderberg nyberg blomqvist
    claesson nordström mårtensson lundström viklund björklund eliasson pålsson berggren
    sandström nordin ström åberg hermansson ekström holmgren sundberg hedlund dahlberg nilsen
    karlsen johnsen pettersen haugen hagen johannessen andreassen halvorsen moen gundersen
    strand solberg eide knutsen martinsen paulsen bakken kristoffersen mathisen lie amundsen
    lunde solheim berge moe nygård bakke fredriksen lien hauge andresen evensen sæther aas
    myhre hanssen haugland thomassen sivertsen danielsen berntsen sandvik rønning arnesen
    antonsen næss vik haug ellingsen thorsen edvardsen birkeland isaksen gulbrandsen ruud aasen
    strøm myklebust tangen ødegård eliassen helland bøe jenssen aune tveit brekke abrahamsen
    korhonen virtanen mäkinen nieminen mäkelä hämäläinen laine heikkinen koskinen järvinen
    lehtonen lehtinen saarinen salminen heinonen niemi heikkilä kinnunen salonen turunen salo
    laitinen tuominen rantanen karjalainen jokinen mattila savolainen lahtinen ahonen hiltunen
    leinonen hirvonen miettinen aaltonen pitkänen manninen lindholm laaksonen väisänen kallio
    anttila eskola leppänen hakala rissanen ojala lindroos koivisto räsänen moilanen peltonen
    nurmi lappalainen mustonen kärkkäinen seppälä vainio toivonen halonen kauppinen aalto
    kemppainen hyvönen smith johnson williams brown jones miller davis garcia wilson taylor
    thompson robinson walker harris clark lewis wright scott baker adams nelson campbell
    mitchell roberts carter phillips evans turner parker collins edwards stewart morris murphy
    cook rogers morgan cooper reed bailey kelly howard ward richardson watson brooks bennett
    hughes myers foster sanders ross powell sullivan russell jenkins perry butler barnes
    fisher henderson coleman simmons patterson reynolds hamilton graham wallace griffin gibson
    ellis stevens murray marshall owens mcdonald harrison kennedy crawford ferguson patel
    nguyen ahmed hussain khan yilmaz kaya demir şahin çelik nowak kowalski wiśniewski
    """
)
