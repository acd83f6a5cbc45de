"""The everyday words for things a Nordic shop sells, grouped by what they mean, in the five
languages at once.

A customer in Malmö writes "ylletröja" to a Danish shop whose catalogue says "Striktrøje"; one in
Oslo writes "ullgenser"; a Finn writes "villapaita"; a tourist "wool sweater". The catalogue of a
real shop (synced from Shopify, WooCommerce or Magento) holds its products' names in one or two
languages and none of the neighbours' words, so the search cannot learn them from the catalogue:
it reads them here. A word of a query and a word of the catalogue that share a *concept* match,
whatever language each is in (`search.ProductIndex`).

Each concept is one line: its name, then its words (folded, space-separated, any language; the
search also matches their inflections through the Snowball stemmers, and compounds through their
parts, so "uldtrøje" need not be listed once "uld" and "trøje" are). Materials are concepts too,
so that "uld" finds a product made of "lammeuld" and "wool" one of "merinould".

This is shared vocabulary, not any one shop's: a shop's own words for its products belong in its
catalogue (`Product.keywords`, tags).
"""

from __future__ import annotations

from functools import cache

_CONCEPTS = """
sweater: sweater sweatre trøje striktrøje uldtrøje pullover pulli tröja ylletröja genser
  strikkegenser ullgenser villapaita neulepusero neulepaita jumper
knit: strik strikket strikkede strikvarer stickad stickade stickat stickning strikk strikket
  strikkevarer neule neuleet neulottu knit knitted knitwear
cardigan: cardigan cardigans kofte kofta cardi neuletakki strikjakke strikkejakke villatakki
turtleneck: rullekrave rullekravebluse polo poloneck polotröja høyhalset turtleneck rollneck
  poolo poolopaita pooloneule
tshirt: tshirt tshirts tee tskjorte tpaita paita basis tshirten
shirt: skjorte skjorta skjortor skjorter paita kauluspaita shirt shirts
blouse: bluse blus blusar pusero paitapusero blouse blouses
hoodie: hoodie hættetrøje huvtröja hettegenser huppari sweatshirt collegepaita sweat collegetröja
dress: kjole kjoler klänning klänningar mekko mekot dress dresses sommerkjole festkjole
skirt: nederdel nederdele kjol kjolar skjørt skjørtet hame hameet skirt skirts
trousers: bukser bukse byxor byxa housut housu trousers pants slacks
jeans: jeans denim farkut farkkuhousut cowboybukser
coat: frakke frakker kappa kåpe kåper takki coat coats overcoat villakangastakki vinterfrakke
  vinterkappa
jacket: jakke jakker jacka jackor takki takit jacket jackets
rain: regn regnen sade sadetakki rain raincoat regntøj regnkläder regnjakke regnjacka
  vandtæt vattentät vanntett vedenpitävä waterproof
down: dun untuva untuvatakki down puffer dunjakke dunjacka
boots: støvler støvle støvletter kängor känga stövlar stövel stövletter boots boot nilkkurit
  saappaat saapas
rubber_boots: gummistøvler gummistövlar regnstøvler kumisaappaat wellies wellingtons
sneakers: sneakers sneaker kondisko gummisko træningssko tennarit lenkkarit trainers joggesko
  løbesko löparskor
slippers: hjemmesko futsko tøfler tofflor innetofflor tossut kotitossut slippers
shoes: sko skor skoene kengät kenkä shoes shoe footwear
socks: sokker strømper strumpor sockor sukat sukka socks sock
scarf: tørklæde halstørklæde halsduk sjal skjerf huivi kaulahuivi kaulaliina scarf shawl
hat: hue huer mössa mössor lue luer pipo pipot beanie hat hats
mittens: luffer vanter handsker vantar handskar votter hansker lapaset käsineet mittens gloves
bag: taske tasker väska väskor veske vesker laukku laukut bag bags handbag håndtaske handväska
  mulepose tygkasse handlenett kassi kangaskassi tote shopper
pyjamas: pyjamas pyjama pyjamat nattøj nattkläder nattøy yöasu yöpuku nightwear sleepwear
  natkjole nattlinne
bedding: sengesæt sengetøj sengelinned dynebetræk påslakan bäddset sängkläder sengesett
  sengetøy dynetrekk pussilakana pussilakanasetti vuodevaatteet bedding duvetcover
sheet: lagen faconlagen lakan laken lakana sheet sheets
duvet: dyne dyner täcke täcken peitto peitot duvet quilt comforter
throw: plaid plaider pläd plädar pledd pleddet torkkupeitto viltti huopa throw throws blanket
  sofatæppe uldtæppe filt ullfilt
cushion: pude puder pyntepude pudebetræk kudde kuddar kuddfodral pute puter putetrekk tyyny
  tyynyt tyynynpäällinen cushion cushions pillow
towel: håndklæde håndklæder badehåndklæde handduk handdukar badlakan håndkle håndklær
  badehåndkle pyyhe pyyhkeet kylpypyyhe towel towels
bathrobe: badekåbe morgenkåbe slåbrok morgonrock badrock badekåpe morgenkåpe kylpytakki
  aamutakki bathrobe robe
mug: krus kop kopper kaffekop tekop mugg muggar kopp kaffekopp tekopp muki mukit kuppi
  kahvikuppi mug mugs cup cups
plate: tallerken tallerkner tallerkener tallrik tallrikar lautanen lautaset plate plates
bowl: skål skåle skålar kulho kulhot bowl bowls
glass: glas glass glasses lasi lasit drikkeglas dricksglas drikkeglass juomalasi tumbler
tea_towel: viskestykke viskestykker kökshandduk kökshanddukar kjøkkenhåndkle keittiöpyyhe
  astiapyyhe teatowel
tablecloth: dug duge borddug duk dukar bordsduk pöytäliina tablecloth
board: skærebræt brødbræt skärbräda brödbräda skjærebrett fjøl leikkuulauta tarjoilulauta
  board chopping cutting
vase: vase vaser vas vaser maljakko maljakot vase vases
candle_holder: lysestage lysestager ljusstake ljusstakar lysestake kynttilänjalka candlestick
  candleholder
candle: lys stearinlys duftlys ljus doftljus stearinljus kynttilä kynttilät tuoksukynttilä
  candle candles
lamp: lampe lamper lampa lampor valaisin lamppu lamp lamps light belysning
rug: gulvtæppe tæppe løber matta mattor gulvteppe løper matto matot rug rugs carpet runner
curtain: gardin gardiner verho verhot curtain curtains drapes
pot: urtepotte potte krukke kruka krukor blomsterpotte ruukku ruukut kukkaruukku pot planter
basket: kurv kurve korg korgar kori korit basket baskets
wool: uld ull ylle villa wool woollen lammeuld lammull lampaanvilla lambswool merino
  merinould merinoull merinovilla
cashmere: kashmir cashmere kashmiri
linen: hør linned linne lin pellava linen
cotton: bomuld bomull puuvilla cotton
leather: læder läder skinn nahka leather
silk: silke silkki silk
alpaca: alpaka alpakka alpaca
stoneware: stentøj stengods steintøy kivitavara stoneware keramik keramikk keramiikka ceramic
"""


@cache
def concepts() -> dict[str, frozenset[str]]:
    """Concept → its words."""
    found: dict[str, set[str]] = {}
    current = ""
    for line in _CONCEPTS.strip().splitlines():
        head, sep, rest = line.partition(":")
        if sep and not line.startswith(" "):
            current = head.strip()
            found.setdefault(current, set()).update(rest.split())
        else:
            found[current].update(line.split())
    return {name: frozenset(words) for name, words in found.items()}


@cache
def word_concepts() -> dict[str, frozenset[str]]:
    """Word → the concepts it belongs to (a few words mean two things: "takki")."""
    index: dict[str, set[str]] = {}
    for name, words in concepts().items():
        for word in words:
            index.setdefault(word, set()).add(name)
    return {word: frozenset(names) for word, names in index.items()}
