"""The demo shop's materials: what each is called and how to care for it, in five languages.

Care is written per kind of care (`CARE`), and each material names its kind, so that a knitted
jumper and a scarf of the same wool get the same instructions.
"""

from __future__ import annotations

from dataclasses import dataclass

from samtale.shop.models import Localized


def L(da: str, sv: str, nb: str, fi: str, en: str) -> Localized:
    return {"da": da, "sv": sv, "nb": nb, "fi": fi, "en": en}


CARE: dict[str, Localized] = {
    "wool": L(
        "Håndvask eller uldprogram ved 30 °C med uldvaskemiddel. Tørres liggende. Luftes gerne i stedet for at vaskes.",
        "Handtvätt eller ullprogram i 30 °C med ulltvättmedel. Torka liggande. Vädra gärna i stället för att tvätta.",
        "Håndvask eller ullprogram på 30 °C med ullvaskemiddel. Tørkes liggende. Luft gjerne i stedet for å vaske.",
        "Käsinpesu tai villaohjelma 30 °C villapesuaineella. Kuivataan tasaisella alustalla. Tuuleta mieluummin kuin pese.",
        "Hand wash or wool cycle at 30 °C with wool detergent. Dry flat. Airing often does instead of washing.",
    ),
    "cashmere": L(
        "Håndvask i koldt vand med uldshampoo. Må ikke vrides. Tørres liggende.",
        "Handtvätt i kallt vatten med ullschampo. Vrid inte. Torka liggande.",
        "Håndvask i kaldt vann med ullsjampo. Må ikke vris. Tørkes liggende.",
        "Käsinpesu kylmässä vedessä villashampoolla. Ei saa vääntää. Kuivataan tasaisella alustalla.",
        "Hand wash in cold water with wool shampoo. Do not wring. Dry flat.",
    ),
    "dryclean": L(
        "Kemisk rens. Luftes og børstes efter brug.",
        "Kemtvätt. Vädra och borsta efter användning.",
        "Kjemisk rens. Luftes og børstes etter bruk.",
        "Kemiallinen pesu. Tuuleta ja harjaa käytön jälkeen.",
        "Dry clean only. Air and brush after wearing.",
    ),
    "cotton": L(
        "Maskinvask ved 40 °C med lignende farver. Kan tørretumbles ved lav varme.",
        "Maskintvätt i 40 °C med liknande färger. Kan torktumlas på låg värme.",
        "Maskinvask på 40 °C med lignende farger. Kan tørketromles på lav varme.",
        "Konepesu 40 °C samanväristen kanssa. Voidaan kuivata rumpukuivaajassa matalalla lämmöllä.",
        "Machine wash at 40 °C with similar colours. Tumble dry low.",
    ),
    "cotton60": L(
        "Maskinvask ved 60 °C. Kan tørretumbles. Brug ikke skyllemiddel, så bevarer stoffet sin sugeevne.",
        "Maskintvätt i 60 °C. Kan torktumlas. Använd inte sköljmedel, så behåller tyget sin sugförmåga.",
        "Maskinvask på 60 °C. Kan tørketromles. Ikke bruk tøymykner, så beholder stoffet sugeevnen.",
        "Konepesu 60 °C. Voidaan kuivata rumpukuivaajassa. Älä käytä huuhteluainetta, niin imukyky säilyy.",
        "Machine wash at 60 °C. Tumble dry. Skip fabric softener to keep it absorbent.",
    ),
    "linen": L(
        "Maskinvask ved 40 °C. Strøges fugtig – eller lad hørren være naturligt krøllet.",
        "Maskintvätt i 40 °C. Stryk fuktig – eller låt linnet vara naturligt skrynkligt.",
        "Maskinvask på 40 °C. Strykes fuktig – eller la linet være naturlig krøllete.",
        "Konepesu 40 °C. Silitä kosteana – tai anna pellavan olla luonnollisen rypyttynyt.",
        "Machine wash at 40 °C. Iron while damp – or leave the linen naturally creased.",
    ),
    "delicate": L(
        "Skånevask ved 30 °C på vrangen. Må ikke tørretumbles.",
        "Skontvätt i 30 °C ut och in. Får inte torktumlas.",
        "Skånsom vask på 30 °C med vrangen ut. Skal ikke tørketromles.",
        "Hienopesu 30 °C nurjalta puolelta. Ei rumpukuivausta.",
        "Gentle wash at 30 °C inside out. Do not tumble dry.",
    ),
    "waterproof": L(
        "Maskinvask ved 30 °C med lukket lynlås. Må ikke renses kemisk. Imprægnér efter behov.",
        "Maskintvätt i 30 °C med stängd dragkedja. Får inte kemtvättas. Impregnera vid behov.",
        "Maskinvask på 30 °C med lukket glidelås. Skal ikke renses kjemisk. Impregner ved behov.",
        "Konepesu 30 °C vetoketju suljettuna. Ei kemiallista pesua. Kyllästä tarvittaessa.",
        "Machine wash at 30 °C with the zip closed. Do not dry clean. Reproof as needed.",
    ),
    "down": L(
        "Maskinvask ved 30 °C med dunvaskemiddel. Tørretumbles med et par tennisbolde, til dunet er helt tørt.",
        "Maskintvätt i 30 °C med duntvättmedel. Torktumla med några tennisbollar tills dunet är helt torrt.",
        "Maskinvask på 30 °C med dunvaskemiddel. Tørketromles med et par tennisballer til dunet er helt tørt.",
        "Konepesu 30 °C untuvapesuaineella. Kuivaa rumpukuivaajassa parin tennispallon kanssa, kunnes untuva on täysin kuiva.",
        "Machine wash at 30 °C with down detergent. Tumble dry with a few tennis balls until the down is completely dry.",
    ),
    "duvet": L(
        "Vaskes ved 60 °C i en stor maskine og tørretumbles grundigt. Rystes dagligt.",
        "Tvättas i 60 °C i en stor maskin och torktumlas ordentligt. Skaka dagligen.",
        "Vaskes på 60 °C i en stor maskin og tørketromles grundig. Ristes daglig.",
        "Pestään 60 °C:ssa isossa koneessa ja kuivataan huolellisesti rumpukuivaajassa. Pöyhi päivittäin.",
        "Wash at 60 °C in a large machine and tumble dry thoroughly. Shake daily.",
    ),
    "leather": L(
        "Børstes og behandles med læderfedt eller -creme. Må ikke vaskes. Tørres væk fra varme.",
        "Borsta och behandla med läderfett eller -kräm. Får inte tvättas. Torka långt från värme.",
        "Børstes og behandles med skinnfett eller -krem. Skal ikke vaskes. Tørkes unna varme.",
        "Harjaa ja hoida nahkarasvalla tai -voiteella. Ei saa pestä. Kuivaa kaukana lämmönlähteistä.",
        "Brush and treat with leather balm or cream. Do not wash. Dry away from heat.",
    ),
    "rubber": L(
        "Skylles af med lunkent vand. Opbevares mørkt og køligt, så gummiet holder længe.",
        "Skölj av med ljummet vatten. Förvara mörkt och svalt så håller gummit länge.",
        "Skylles med lunkent vann. Oppbevares mørkt og kjølig, så holder gummiet lenge.",
        "Huuhtele haalealla vedellä. Säilytä pimeässä ja viileässä, niin kumi kestää pitkään.",
        "Rinse with lukewarm water. Store somewhere dark and cool so the rubber lasts.",
    ),
    "felt": L(
        "Børstes og pletrenses med en fugtig klud. Må ikke vaskes i maskine.",
        "Borsta och fläckrengör med en fuktig trasa. Får inte maskintvättas.",
        "Børstes og flekkrenses med en fuktig klut. Skal ikke maskinvaskes.",
        "Harjaa ja puhdista tahrat kostealla liinalla. Ei konepesua.",
        "Brush and spot clean with a damp cloth. Do not machine wash.",
    ),
    "dishwasher": L(
        "Tåler opvaskemaskine og mikroovn.",
        "Tål diskmaskin och mikrovågsugn.",
        "Tåler oppvaskmaskin og mikrobølgeovn.",
        "Kestää astianpesukoneen ja mikroaaltouunin.",
        "Dishwasher and microwave safe.",
    ),
    "glass": L(
        "Tåler opvaskemaskine ved højst 55 °C.",
        "Tål diskmaskin i högst 55 °C.",
        "Tåler oppvaskmaskin på maks 55 °C.",
        "Kestää astianpesukoneen enintään 55 °C:ssa.",
        "Dishwasher safe at up to 55 °C.",
    ),
    "metal": L(
        "Aftørres med en tør, blød klud. Messing får patina med tiden.",
        "Torka av med en torr, mjuk trasa. Mässing får patina med tiden.",
        "Tørkes av med en tørr, myk klut. Messing får patina med tiden.",
        "Pyyhi kuivalla, pehmeällä liinalla. Messinki patinoituu ajan myötä.",
        "Wipe with a dry, soft cloth. Brass develops a patina over time.",
    ),
    "wood": L(
        "Vaskes af i hånden og tørres straks. Olieres efter behov. Tåler ikke opvaskemaskine.",
        "Diska för hand och torka direkt. Olja vid behov. Tål inte diskmaskin.",
        "Vaskes for hånd og tørkes straks. Oljes ved behov. Tåler ikke oppvaskmaskin.",
        "Pese käsin ja kuivaa heti. Öljyä tarvittaessa. Ei astianpesukoneeseen.",
        "Wash by hand and dry straight away. Oil as needed. Not dishwasher safe.",
    ),
    "candle": L(
        "Klip vægen til 5 mm før hver tænding. Lad aldrig et tændt lys være uden opsyn.",
        "Klipp veken till 5 mm före varje tändning. Lämna aldrig ett tänt ljus utan uppsikt.",
        "Klipp veken til 5 mm før hver tenning. La aldri et tent lys stå uten tilsyn.",
        "Leikkaa sydän 5 mm:n mittaiseksi ennen sytyttämistä. Älä jätä palavaa kynttilää ilman valvontaa.",
        "Trim the wick to 5 mm before each lighting. Never leave a burning candle unattended.",
    ),
    "rug": L(
        "Støvsuges jævnligt uden børste. Pletter duppes med koldt vand. Større rengøring hos et tæpperenseri.",
        "Dammsug regelbundet utan borste. Fläckar badda med kallt vatten. Större rengöring på mattvätt.",
        "Støvsuges jevnlig uten børste. Flekker duppes med kaldt vann. Større rengjøring hos et renseri.",
        "Imuroi säännöllisesti ilman harjaa. Taputtele tahrat kylmällä vedellä. Perusteellinen puhdistus mattopesulassa.",
        "Vacuum regularly without the brush. Blot stains with cold water. Deep cleaning by a rug cleaner.",
    ),
    "dust": L(
        "Støves af med en tør klud. Tåler ikke vand.",
        "Damma av med en torr trasa. Tål inte vatten.",
        "Tørkes støv av med en tørr klut. Tåler ikke vann.",
        "Pyyhi pölyt kuivalla liinalla. Ei kestä vettä.",
        "Dust with a dry cloth. Keep away from water.",
    ),
    "terracotta": L(
        "Skylles af i hånden. Tåler ikke frost – tages ind om vinteren.",
        "Skölj av för hand. Tål inte frost – ta in den på vintern.",
        "Skylles for hånd. Tåler ikke frost – tas inn om vinteren.",
        "Huuhtele käsin. Ei kestä pakkasta – ota sisälle talveksi.",
        "Rinse by hand. Not frost-proof – bring it inside in winter.",
    ),
    "lamp": L(
        "Aftørres med en tør klud. Til en E27-pære på højst 40 W (medfølger ikke).",
        "Torka av med en torr trasa. För en E27-lampa på högst 40 W (ingår inte).",
        "Tørkes av med en tørr klut. For en E27-pære på maks 40 W (følger ikke med).",
        "Pyyhi kuivalla liinalla. E27-lampulle, enintään 40 W (ei sisälly).",
        "Wipe with a dry cloth. Takes an E27 bulb of up to 40 W (not included).",
    ),
    "vase": L(
        "Glaseret indvendigt, så den holder på vandet. Vaskes af i hånden.",
        "Glaserad invändigt så att den håller vatten. Diska för hand.",
        "Glassert innvendig, så den holder på vannet. Vaskes for hånd.",
        "Sisältä lasitettu, joten pitää veden. Pese käsin.",
        "Glazed inside so it holds water. Wash by hand.",
    ),
}


@dataclass(frozen=True)
class Material:
    code: str
    names: Localized
    care: str  # a key of CARE


def _m(code: str, care: str, da: str, sv: str, nb: str, fi: str, en: str) -> Material:
    return Material(code, L(da, sv, nb, fi, en), care)


MATERIALS: dict[str, Material] = {
    m.code: m
    for m in (
        _m("merino", "wool", "100 % merinould", "100 % merinoull", "100 % merinoull",
           "100 % merinovillaa", "100% merino wool"),
        _m("lambswool", "wool", "100 % lammeuld", "100 % lammull", "100 % lammeull",
           "100 % lampaanvillaa", "100% lambswool"),
        _m("cashmere", "cashmere", "100 % kashmir", "100 % kashmir", "100 % kasjmir",
           "100 % kashmiria", "100% cashmere"),
        _m("alpaca", "wool", "70 % alpakauld, 30 % uld", "70 % alpackaull, 30 % ull",
           "70 % alpakkaull, 30 % ull", "70 % alpakanvillaa, 30 % villaa",
           "70% alpaca wool, 30% wool"),
        _m("wool_blend", "dryclean", "60 % uld, 40 % polyamid", "60 % ull, 40 % polyamid",
           "60 % ull, 40 % polyamid", "60 % villaa, 40 % polyamidia", "60% wool, 40% polyamide"),
        _m("coat_wool", "dryclean", "80 % uld, 20 % polyamid", "80 % ull, 20 % polyamid",
           "80 % ull, 20 % polyamid", "80 % villaa, 20 % polyamidia", "80% wool, 20% polyamide"),
        _m("wool_cashmere", "dryclean", "90 % uld, 10 % kashmir", "90 % ull, 10 % kashmir",
           "90 % ull, 10 % kasjmir", "90 % villaa, 10 % kashmiria", "90% wool, 10% cashmere"),
        _m("wool_nylon", "wool", "80 % uld, 20 % polyamid", "80 % ull, 20 % polyamid",
           "80 % ull, 20 % polyamid", "80 % villaa, 20 % polyamidia", "80% wool, 20% polyamide"),
        _m("cotton", "cotton", "100 % bomuld", "100 % bomull", "100 % bomull",
           "100 % puuvillaa", "100% cotton"),
        _m("organic_cotton", "cotton", "100 % økologisk bomuld", "100 % ekologisk bomull",
           "100 % økologisk bomull", "100 % luomupuuvillaa", "100% organic cotton"),
        _m("denim", "delicate", "98 % bomuld, 2 % elastan", "98 % bomull, 2 % elastan",
           "98 % bomull, 2 % elastan", "98 % puuvillaa, 2 % elastaania",
           "98% cotton, 2% elastane"),
        _m("linen", "linen", "100 % hør", "100 % linne", "100 % lin", "100 % pellavaa",
           "100% linen"),
        _m("linen_cotton", "linen", "55 % hør, 45 % bomuld", "55 % linne, 45 % bomull",
           "55 % lin, 45 % bomull", "55 % pellavaa, 45 % puuvillaa", "55% linen, 45% cotton"),
        _m("viscose", "delicate", "100 % viskose", "100 % viskos", "100 % viskose",
           "100 % viskoosia", "100% viscose"),
        _m("recycled_polyester", "delicate", "100 % genanvendt polyester",
           "100 % återvunnen polyester", "100 % resirkulert polyester",
           "100 % kierrätettyä polyesteriä", "100% recycled polyester"),
        _m("coated_polyester", "waterproof",
           "Genanvendt polyester med PU-belægning, vandsøjle 8.000 mm",
           "Återvunnen polyester med PU-beläggning, vattenpelare 8 000 mm",
           "Resirkulert polyester med PU-belegg, vannsøyle 8 000 mm",
           "Kierrätettyä polyesteriä PU-pinnoitteella, vesipilari 8 000 mm",
           "Recycled polyester with a PU coating, 8,000 mm water column"),
        _m("down", "down", "Yderstof: genanvendt polyester. Fyld: 90 % dun, 10 % fjer",
           "Ytterstoff: återvunnen polyester. Fyllning: 90 % dun, 10 % fjäder",
           "Ytterstoff: resirkulert polyester. Fyll: 90 % dun, 10 % fjær",
           "Päällinen: kierrätettyä polyesteriä. Täyte: 90 % untuvaa, 10 % höyheniä",
           "Shell: recycled polyester. Filling: 90% down, 10% feathers"),
        _m("duck_down", "duvet", "Betræk: 100 % bomuld. Fyld: 90 % andedun, 10 % fjer",
           "Var: 100 % bomull. Fyllning: 90 % anddun, 10 % fjäder",
           "Trekk: 100 % bomull. Fyll: 90 % andedun, 10 % fjær",
           "Päällinen: 100 % puuvillaa. Täyte: 90 % ankanuntuvaa, 10 % höyheniä",
           "Cover: 100% cotton. Filling: 90% duck down, 10% feathers"),
        _m("cotton_percale", "cotton60", "100 % bomuldsperkal", "100 % bomullsperkal",
           "100 % bomullsperkal", "100 % puuvillaperkaalia", "100% cotton percale"),
        _m("cotton_sateen", "cotton60", "100 % bomuldssatin", "100 % bomullssatin",
           "100 % bomullssateng", "100 % puuvillasatiinia", "100% cotton sateen"),
        _m("cotton_velvet", "delicate", "100 % bomuldsfløjl", "100 % bomullssammet",
           "100 % bomullsfløyel", "100 % puuvillasamettia", "100% cotton velvet"),
        _m("cotton_terry", "cotton60", "100 % bomuldsfrotté", "100 % bomullsfrotté",
           "100 % bomullsfrotté", "100 % puuvillafroteeta", "100% cotton terry"),
        _m("canvas", "cotton", "Kraftigt lærred af 100 % økologisk bomuld",
           "Kraftig canvas av 100 % ekologisk bomull", "Kraftig lerret av 100 % økologisk bomull",
           "Tukevaa kangasta, 100 % luomupuuvillaa", "Heavy canvas, 100% organic cotton"),
        _m("leather", "leather", "Vegetabilsk garvet læder", "Vegetabiliskt garvat läder",
           "Vegetabilsk garvet skinn", "Kasviparkittua nahkaa", "Vegetable-tanned leather"),
        _m("natural_rubber", "rubber", "Naturgummi", "Naturgummi", "Naturgummi",
           "Luonnonkumia", "Natural rubber"),
        _m("wool_felt", "felt", "100 % uldfilt", "100 % ullfilt", "100 % ullfilt",
           "100 % villahuopaa", "100% wool felt"),
        _m("stoneware", "dishwasher", "Glaseret stentøj", "Glaserat stengods",
           "Glassert steintøy", "Lasitettua kivitavaraa", "Glazed stoneware"),
        _m("porcelain", "dishwasher", "Porcelæn", "Porslin", "Porselen", "Posliinia",
           "Porcelain"),
        _m("glass", "glass", "Mundblæst glas", "Munblåst glas", "Munnblåst glass",
           "Suupuhallettua lasia", "Mouth-blown glass"),
        _m("brass", "metal", "Massivt messing", "Massiv mässing", "Massiv messing",
           "Massiivimessinkiä", "Solid brass"),
        _m("iron", "metal", "Pulverlakeret jern", "Pulverlackerat järn", "Pulverlakkert jern",
           "Jauhemaalattua rautaa", "Powder-coated iron"),
        _m("oak", "wood", "Massiv eg (FSC®)", "Massiv ek (FSC®)", "Massiv eik (FSC®)",
           "Massiivitammea (FSC®)", "Solid oak (FSC®)"),
        _m("soy_wax", "candle", "Sojavoks med bomuldsvæge", "Sojavax med bomullsveke",
           "Soyavoks med bomullsveke", "Soijavahaa, puuvillasydän",
           "Soy wax with a cotton wick"),
        _m("rug_wool", "rug", "100 % New Zealand-uld", "100 % nyzeeländsk ull",
           "100 % ull fra New Zealand", "100 % uusiseelantilaista villaa",
           "100% New Zealand wool"),
        _m("jute", "rug", "100 % jute", "100 % jute", "100 % jute", "100 % juuttia",
           "100% jute"),
        _m("seagrass", "dust", "Flettet søgræs", "Flätat sjögräs", "Flettet sjøgress",
           "Punottua meriheinää", "Woven seagrass"),
        _m("terracotta_clay", "terracotta", "Uglaseret terrakotta", "Oglaserad terrakotta",
           "Uglassert terrakotta", "Lasittamatonta terrakottaa", "Unglazed terracotta"),
    )
}  # fmt: skip
