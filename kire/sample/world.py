"""The small knowledge graph behind the bundled sample: real Wikidata ids, plausible facts.

Everything the sample's dump, DocRED and DWIE files say comes from the declarations below, so the
documents' relation labels are facts of the dump by construction. Facts follow Wikidata (ids,
dates, capitals, citizenships); populations are rounded recent figures; VIAF ids, image file
names and statement GUIDs are illustrative.

Value classes mirror Wikidata's datavalue types; a :class:`Claim` whose value is
:data:`SOME_VALUE` or :data:`NO_VALUE` becomes a ``somevalue`` or ``novalue`` snak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Time:
    """A Wikidata time value: ``time`` like ``+1954-07-17T00:00:00Z``; precision 9 year, 11 day."""

    time: str
    precision: int = 11
    calendar: str = "Q1985727"  # proleptic Gregorian; Q1985786 is the Julian calendar

    @property
    def year(self) -> int:
        return int(self.time[1:].split("-")[0]) * (-1 if self.time[0] == "-" else 1)


@dataclass(frozen=True)
class Quantity:
    """A Wikidata quantity: ``amount`` as a signed decimal string; ``unit`` an item id or None."""

    amount: str
    unit: str | None = None


@dataclass(frozen=True)
class Coord:
    """A globe coordinate on Earth (Q2)."""

    latitude: float
    longitude: float
    precision: float = 0.00027777777777778


@dataclass(frozen=True)
class Text:
    """A monolingual text."""

    text: str
    language: str


class Valueless(str):
    """Marker for the two value-less snak types; its text is the snak type."""


SOME_VALUE = Valueless("somevalue")
NO_VALUE = Valueless("novalue")

# An item or property id ("Q64", "P1376"), a plain string (string, external-id, url, commonsMedia)
# or one of the value classes above.
Value = Union[str, Time, Quantity, Coord, Text]


@dataclass(frozen=True)
class Claim:
    """One statement: main snak ``prop``=``value``, its rank, qualifiers and references."""

    prop: str
    value: Value
    rank: str = "normal"
    qualifiers: tuple[tuple[str, Value], ...] = ()
    references: tuple[tuple[tuple[str, Value], ...], ...] = ()


@dataclass
class EntitySpec:
    """An item (``Q…``) or property (``P…``) of the sample dump.

    ``labels``/``descriptions``: language -> text; ``aliases``: language -> list of texts;
    ``sitelinks``: site -> page title; ``datatype``: properties only. ``gender`` (persons) and
    ``demonym`` (countries) drive pronouns and adjectives in the generated text, not the dump.
    """

    id: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    aliases: dict[str, list[str]] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    sitelinks: dict[str, str] = field(default_factory=dict)
    datatype: str | None = None
    gender: str | None = None
    demonym: str | None = None

    @property
    def label(self) -> str:
        return self.labels["en"]


# Reference blocks reused by several statements (Wikidata shares them too).
WIKI_EN = (("P143", "Q328"),)  # imported from English Wikipedia
WIKI_DE = (("P143", "Q48183"),)  # imported from German Wikipedia


def _l(en: str, de: str | None = None, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "de": de or en, "fr": fr or en}


def _sites(en: str, de: str | None = None, fr: str | None = None) -> dict[str, str]:
    return {"dewiki": de or en, "enwiki": en, "frwiki": fr or en}


def _day(date: str) -> Time:
    return Time(f"+{date}T00:00:00Z", 11)


def _year(year: int) -> Time:
    sign = "-" if year < 0 else "+"
    return Time(f"{sign}{abs(year):04d}-00-00T00:00:00Z", 9)


def _pop(amount: int, year: int, rank: str = "normal") -> Claim:
    return Claim("P1082", Quantity(f"+{amount}"), rank, (("P585", _year(year)),), (WIKI_EN,))


def _area(km2: str) -> Claim:
    return Claim("P2046", Quantity(f"+{km2}", "Q712226"))


def _coord(lat: float, lon: float) -> Claim:
    return Claim("P625", Coord(lat, lon), references=(WIKI_EN,))


PROPERTIES: list[EntitySpec] = [
    EntitySpec("P31", _l("instance of", "ist ein(e)", "nature de l'élément"),
               {"en": "that class of which this subject is a particular example and member"},
               {"en": ["is a", "is an", "type"], "de": ["ist ein", "Instanz von"]},
               datatype="wikibase-item"),
    EntitySpec("P279", _l("subclass of", "Unterklasse von", "sous-classe de"),
               {"en": "this item is a subclass of that class"},
               {"en": ["is a type of", "subtype of"], "de": ["Unterklasse"]}, datatype="wikibase-item"),
    EntitySpec("P17", _l("country", "Staat", "pays"),
               {"en": "sovereign state that this item is in", "de": "Staat, in dem sich das Objekt befindet"},
               {"en": ["sovereign state", "state"]}, datatype="wikibase-item"),
    EntitySpec("P19", _l("place of birth", "Geburtsort", "lieu de naissance"),
               {"en": "most specific known birth location of a person"},
               {"en": ["birthplace", "born in"], "fr": ["né à"]}, datatype="wikibase-item"),
    EntitySpec("P26", _l("spouse", "Ehepartner", "conjoint"),
               {"en": "the subject has the object as their spouse"},
               {"en": ["husband", "wife", "married to"]}, datatype="wikibase-item"),
    EntitySpec("P27", _l("country of citizenship", "Staatsangehörigkeit", "pays de nationalité"),
               {"en": "the object is a country that recognizes the subject as its citizen"},
               {"en": ["citizenship", "nationality"]}, datatype="wikibase-item"),
    EntitySpec("P35", _l("head of state", "Staatsoberhaupt", "chef d'État"),
               {"en": "official with the highest formal authority in a country/state"},
               {"en": ["president", "monarch"]}, datatype="wikibase-item"),
    EntitySpec("P6", _l("head of government", "Regierungschef", "chef du gouvernement"),
               {"en": "head of the executive power of this town, city, country"},
               {"en": ["mayor", "prime minister", "chancellor"]}, datatype="wikibase-item"),
    EntitySpec("P36", _l("capital", "Hauptstadt", "capitale"),
               {"en": "seat of government of a country, province, state or other type of administrative territorial entity"},
               {"en": ["capital city"]}, datatype="wikibase-item",
               claims=[Claim("P1696", "P1376")]),
    EntitySpec("P1376", _l("capital of", "Hauptstadt von", "capitale de"),
               {"en": "country, state, department, canton or other administrative division of which the municipality is the governmental seat"},
               {"en": ["is capital of"]}, datatype="wikibase-item",
               claims=[Claim("P1696", "P36")]),
    EntitySpec("P131", _l("located in the administrative territorial entity", "liegt in der Verwaltungseinheit",
                          "localisation administrative"),
               {"en": "the item is located on the territory of the following administrative entity"},
               {"en": ["located in", "in"]}, datatype="wikibase-item"),
    EntitySpec("P159", _l("headquarters location", "Hauptverwaltung", "siège"),
               {"en": "city, where an organization's headquarters is or has been situated"},
               {"en": ["headquarters", "based in"]}, datatype="wikibase-item"),
    EntitySpec("P463", _l("member of", "Mitglied von", "membre de"),
               {"en": "organization, club or musical group to which the subject belongs"},
               {"en": ["belongs to"]}, datatype="wikibase-item"),
    EntitySpec("P69", _l("educated at", "besuchte Bildungseinrichtung", "scolarité"),
               {"en": "educational institution attended by subject"},
               {"en": ["alma mater", "studied at"]}, datatype="wikibase-item"),
    EntitySpec("P166", _l("award received", "Auszeichnung", "distinction reçue"),
               {"en": "award or recognition received by a person, organization or creative work"},
               {"en": ["awarded", "prize received"]}, datatype="wikibase-item"),
    EntitySpec("P569", _l("date of birth", "Geburtsdatum", "date de naissance"),
               {"en": "date on which the subject was born"},
               {"en": ["born on", "birth date"]}, datatype="time"),
    EntitySpec("P571", _l("inception", "Gründung, Erstellung bzw. Entstehung", "date de fondation ou de création"),
               {"en": "time when an entity begins to exist"},
               {"en": ["founded", "established", "date of foundation"]}, datatype="time"),
    EntitySpec("P580", _l("start time", "Startzeitpunkt", "date de début"),
               {"en": "time an entity begins to exist or a statement starts being valid"},
               {"en": ["from", "since"]}, datatype="time"),
    EntitySpec("P582", _l("end time", "Endzeitpunkt", "date de fin"),
               {"en": "time an entity ceases to exist or a statement stops being valid"},
               {"en": ["until", "to"]}, datatype="time"),
    EntitySpec("P585", _l("point in time", "Zeitpunkt", "date"),
               {"en": "time and date something took place, existed or a statement was true"},
               {"en": ["date", "as of"]}, datatype="time"),
    EntitySpec("P625", _l("coordinate location", "geographische Koordinaten", "coordonnées géographiques"),
               {"en": "geocoordinates of the subject"}, {"en": ["coordinates", "location"]},
               datatype="globe-coordinate"),
    EntitySpec("P1082", _l("population", "Einwohnerzahl", "population"),
               {"en": "number of people inhabiting the place"}, {"en": ["inhabitants"]},
               datatype="quantity"),
    EntitySpec("P2046", _l("area", "Fläche", "superficie"),
               {"en": "area occupied by an object"}, {"en": ["surface area"]}, datatype="quantity"),
    EntitySpec("P856", _l("official website", "offizielle Website", "site officiel"),
               {"en": "URL of the official page of an item"}, {"en": ["website", "homepage"]},
               datatype="url"),
    EntitySpec("P18", _l("image", "Bild", "image"),
               {"en": "image of relevant illustration of the subject"}, {"en": ["picture"]},
               datatype="commonsMedia"),
    EntitySpec("P214", _l("VIAF ID", "VIAF-ID", "identifiant VIAF"),
               {"en": "identifier for the Virtual International Authority File database"},
               {"en": ["VIAF"]}, datatype="external-id"),
    EntitySpec("P281", _l("postal code", "Postleitzahl", "code postal"),
               {"en": "identifier assigned by postal authorities for the subject area or building"},
               {"en": ["zip code", "postcode"]}, datatype="string"),
    EntitySpec("P1448", _l("official name", "offizieller Name", "nom officiel"),
               {"en": "official name of the subject in its official language(s)"},
               datatype="monolingualtext"),
    EntitySpec("P143", _l("imported from Wikimedia project", "importiert aus Wikimedia-Projekt",
                          "importé de Wikimedia"),
               {"en": "source of this claim's value; used in references"}, {"en": ["imported from"]},
               datatype="wikibase-item"),
    EntitySpec("P1696", _l("inverse property", "inverse Eigenschaft", "propriété inverse"),
               {"en": "links a property to its inverse property"}, datatype="wikibase-property"),
]


def _country(qid, labels, desc, aliases, sites, demonym, capital, members, pop, area, coord,
             extra=()) -> EntitySpec:
    claims = [Claim("P31", "Q6256"), Claim("P31", "Q3624078")]
    if capital:
        claims.append(Claim("P36", capital, references=(WIKI_EN,)))
    claims += [Claim("P463", m) if isinstance(m, str) else m for m in members]
    claims += [*pop, _area(area), _coord(*coord), *extra]
    return EntitySpec(qid, labels, desc, aliases, claims, sites, demonym=demonym)


def _city(qid, labels, desc, aliases, sites, country, admin, pops, coord, extra=()) -> EntitySpec:
    claims = [Claim("P31", "Q515"), Claim("P17", country, references=(WIKI_EN,))]
    claims += [Claim("P131", a) for a in admin]
    claims += [*pops, _coord(*coord), *extra]
    return EntitySpec(qid, labels, desc, aliases, claims, sites)


def _person(qid, labels, desc, aliases, sites, gender, born, birth_place, citizenships,
            extra=()) -> EntitySpec:
    claims = [Claim("P31", "Q5")]
    if birth_place:
        claims.append(Claim("P19", birth_place, references=(WIKI_EN,)))
    claims += [Claim("P27", c) if isinstance(c, str) else c for c in citizenships]
    claims += [Claim("P569", born, references=(WIKI_DE,)), *extra]
    return EntitySpec(qid, labels, desc, aliases, claims, sites, gender=gender)


def _cls(qid, labels, desc, aliases=None, sites=None, superclass=None) -> EntitySpec:
    """A class item: a ``subclass of`` statement or none at all (the items with zero claims).
    The subclass chains let entity linking match candidate types (P31/P279) to DocRED types."""
    claims = [Claim("P279", superclass)] if superclass else []
    return EntitySpec(qid, labels, desc, aliases or {}, claims, sites if sites is not None else {})


ITEMS: list[EntitySpec] = [
    # --- classes and units (no statements) ---
    _cls("Q5", _l("human", "Mensch", "être humain"),
         {"en": "any member of Homo sapiens", "de": "Angehöriger der Art Homo sapiens"},
         {"en": ["person", "people"]}, _sites("Human", "Mensch", "Homo sapiens")),
    _cls("Q515", _l("city", "Stadt", "ville"), {"en": "large human settlement", "de": "größere Siedlung"},
         {"en": ["town"]}, _sites("City", "Stadt", "Ville")),
    _cls("Q6256", _l("country", "Land", "pays"),
         {"en": "distinct territorial body or political entity", "fr": "territoire délimité"},
         {"en": ["nation"]}, _sites("Country", "Land", "Pays")),
    _cls("Q3624078", _l("sovereign state", "souveräner Staat", "État souverain"),
         {"en": "state that has the highest authority over a territory"}, {},
         _sites("Sovereign state", "Souveräner Staat", "État souverain"), "Q6256"),
    _cls("Q10864048", _l("first-level administrative country subdivision", "Verwaltungseinheit erster Ebene",
                         "division administrative de premier niveau"),
         {"en": "primary administrative division of a country"}, {"en": ["first-level administrative division"]}, {}),
    _cls("Q3336843", _l("country of the United Kingdom", "Landesteil des Vereinigten Königreichs",
                        "nation constitutive du Royaume-Uni"),
         {"en": "constituent country of the United Kingdom"}, {"en": ["constituent country"]},
         _sites("Countries of the United Kingdom", "Landesteil (Vereinigtes Königreich)",
                "Nations constitutives du Royaume-Uni"), "Q6256"),
    _cls("Q43229", _l("organization", "Organisation", "organisation"),
         {"en": "social entity established to meet needs or pursue goals"}, {"en": ["organisation"]},
         _sites("Organization", "Organisation", "Organisation")),
    _cls("Q1221156", _l("state of Germany", "Land", "Land d'Allemagne"),
         {"en": "federated state of the Federal Republic of Germany", "de": "Gliedstaat der Bundesrepublik Deutschland"},
         {"en": ["German state", "Bundesland"], "de": ["Bundesland"]},
         _sites("States of Germany", "Land (Deutschland)", "Land (Allemagne)"), "Q10864048"),
    _cls("Q35657", _l("U.S. state", "Bundesstaat der Vereinigten Staaten", "État des États-Unis"),
         {"en": "constituent political entity of the United States of America"}, {"en": ["state of the United States"]},
         _sites("U.S. state", "Bundesstaat der Vereinigten Staaten", "État des États-Unis"), "Q10864048"),
    _cls("Q23442", _l("island", "Insel", "île"), {"en": "piece of land completely surrounded by water"},
         {}, _sites("Island", "Insel", "Île")),
    _cls("Q3918", _l("university", "Universität", "université"),
         {"en": "academic institution for further education", "de": "Hochschule mit Promotionsrecht"},
         {}, _sites("University", "Universität", "Université")),
    _cls("Q4830453", _l("business", "Unternehmen", "entreprise"),
         {"en": "organization undertaking commercial, industrial, or professional activity"},
         {"en": ["company", "firm"]}, _sites("Business", "Unternehmen", "Entreprise"), "Q43229"),
    _cls("Q484652", _l("international organization", "internationale Organisation", "organisation internationale"),
         {"en": "organization established by treaty between two or more nations"}, {"en": ["intergovernmental organization"]},
         _sites("International organization", "Internationale Organisation", "Organisation internationale"),
         "Q43229"),
    # A unit with neither statements nor sitelinks.
    _cls("Q712226", _l("square kilometre", "Quadratkilometer", "kilomètre carré"),
         {"en": "unit of area", "de": "Flächeneinheit"}, {"en": ["km²", "square kilometer"]}, {}),
    EntitySpec("Q38104", _l("Nobel Prize in Physics", "Nobelpreis für Physik", "prix Nobel de physique"),
               {"en": "one of the five Nobel Prizes established in 1895 by Alfred Nobel"},
               {"en": ["Nobel Physics Prize"]}, [Claim("P571", _year(1901))],
               _sites("Nobel Prize in Physics", "Nobelpreis für Physik", "Prix Nobel de physique")),
    EntitySpec("Q44585", _l("Nobel Prize in Chemistry", "Nobelpreis für Chemie", "prix Nobel de chimie"),
               {"en": "one of the five Nobel Prizes established in 1895 by Alfred Nobel"},
               {"en": ["Nobel Chemistry Prize"]}, [Claim("P571", _year(1901))],
               _sites("Nobel Prize in Chemistry", "Nobelpreis für Chemie", "Prix Nobel de chimie")),
    # --- countries ---
    _country("Q183", _l("Germany", "Deutschland", "Allemagne"),
             {"en": "country in Central Europe", "de": "Staat in Mitteleuropa", "fr": "pays d'Europe centrale"},
             {"en": ["Federal Republic of Germany", "FRG"], "de": ["BRD", "Bundesrepublik Deutschland"],
              "fr": ["République fédérale d'Allemagne", "RFA"]},
             _sites("Germany", "Deutschland", "Allemagne"), "German", "Q64",
             ["Q458", "Q7184", "Q1065"],
             [_pop(84358845, 2023, "preferred"), _pop(83166711, 2019)], "357588", (51.0, 10.0),
             [Claim("P6", "Q567", qualifiers=(("P580", _day("2005-11-22")), ("P582", _day("2021-12-08")))),
              Claim("P571", _day("1949-05-23")),
              Claim("P1448", Text("Bundesrepublik Deutschland", "de")),
              Claim("P856", "https://www.deutschland.de/"),
              Claim("P214", "153529027")]),
    _country("Q142", _l("France", "Frankreich", "France"),
             {"en": "country in Western Europe", "de": "Staat in Westeuropa", "fr": "pays d'Europe de l'Ouest"},
             {"en": ["French Republic"], "fr": ["République française"]},
             _sites("France", "Frankreich", "France"), "French", "Q90",
             ["Q458", "Q7184", "Q1065"],
             [_pop(68042591, 2023, "preferred")], "643801", (47.0, 2.0),
             [Claim("P35", "Q3052772", "preferred", (("P580", _day("2017-05-14")),)),
              Claim("P35", "Q329", qualifiers=(("P580", _day("2007-05-16")), ("P582", _day("2012-05-15")))),
              Claim("P1448", Text("République française", "fr")),
              Claim("P856", "https://www.gouvernement.fr/")]),
    _country("Q145", _l("United Kingdom", "Vereinigtes Königreich", "Royaume-Uni"),
             {"en": "country in north-west Europe", "de": "Staat in Nordwesteuropa", "fr": "pays d'Europe de l'Ouest"},
             {"en": ["UK", "U.K.", "Britain", "United Kingdom of Great Britain and Northern Ireland"],
              "de": ["Großbritannien", "UK"], "fr": ["Grande-Bretagne"]},
             _sites("United Kingdom", "Vereinigtes Königreich", "Royaume-Uni"), "British", "Q84",
             ["Q7184", "Q1065",
              Claim("P463", "Q458", qualifiers=(("P580", _day("1973-01-01")), ("P582", _day("2020-01-31"))))],
             [_pop(67026292, 2021, "preferred")], "242495", (55.0, -3.0),
             [Claim("P35", "Q43274", "preferred", (("P580", _day("2022-09-08")),)),
              Claim("P35", "Q9682", qualifiers=(("P580", _day("1952-02-06")), ("P582", _day("2022-09-08")))),
              Claim("P571", _day("1801-01-01")),
              Claim("P1448", Text("United Kingdom of Great Britain and Northern Ireland", "en"))]),
    _country("Q30", _l("United States", "Vereinigte Staaten", "États-Unis"),
             {"en": "country in North America", "de": "Staat in Nordamerika", "fr": "pays d'Amérique du Nord"},
             {"en": ["USA", "U.S.", "United States of America", "America"], "de": ["USA"], "fr": ["USA"]},
             _sites("United States", "Vereinigte Staaten", "États-Unis"), "American", None,
             ["Q7184", "Q1065"], [_pop(331449281, 2020, "preferred")], "9826675", (39.828175, -98.5795)),
    _country("Q31", _l("Belgium", "Belgien", "Belgique"),
             {"en": "country in Western Europe", "de": "Staat in Westeuropa", "fr": "pays d'Europe de l'Ouest"},
             {"en": ["Kingdom of Belgium"], "fr": ["Royaume de Belgique"]},
             _sites("Belgium", "Belgien", "Belgique"), "Belgian", "Q239",
             ["Q458", "Q7184", "Q1065"], [_pop(11697557, 2023, "preferred")], "30689", (50.641111, 4.668056)),
    _country("Q39", _l("Switzerland", "Schweiz", "Suisse"),
             {"en": "federal state in Western and Central Europe", "de": "Staat in Mitteleuropa"},
             {"en": ["Swiss Confederation"], "de": ["Schweizerische Eidgenossenschaft"]},
             _sites("Switzerland", "Schweiz", "Suisse"), "Swiss", None,
             ["Q1065"], [_pop(8902308, 2022, "preferred")], "41285", (46.798562, 8.231973),
             # Switzerland is not a NATO member: a wrong claim kept with deprecated rank
             [Claim("P463", "Q7184", "deprecated")]),
    _country("Q36", _l("Poland", "Polen", "Pologne"),
             {"en": "country in Central Europe", "de": "Staat in Mitteleuropa", "fr": "pays d'Europe centrale"},
             {"en": ["Republic of Poland"], "de": ["Republik Polen"]},
             _sites("Poland", "Polen", "Pologne"), "Polish", "Q270",
             ["Q458", "Q7184", "Q1065"], [_pop(37749000, 2023, "preferred")], "312696", (52.0, 19.0)),
    # --- regions ---
    EntitySpec("Q980", _l("Bavaria", "Bayern", "Bavière"),
               {"en": "state of Germany", "de": "Land in Deutschland", "fr": "Land d'Allemagne"},
               {"en": ["Free State of Bavaria"], "de": ["Freistaat Bayern"]},
               [Claim("P31", "Q1221156"), Claim("P17", "Q183"), Claim("P131", "Q183"), Claim("P36", "Q1726"),
                _pop(13369393, 2022, "preferred"), _area("70550.19"), _coord(48.946388888889, 11.403888888889)],
               _sites("Bavaria", "Bayern", "Bavière")),
    EntitySpec("Q1199", _l("Hesse", "Hessen", "Hesse"),
               {"en": "state of Germany", "de": "Land in Deutschland"}, {"en": ["Hessen"]},
               [Claim("P31", "Q1221156"), Claim("P17", "Q183"), Claim("P131", "Q183"), _pop(6391360, 2022, "preferred")],
               _sites("Hesse", "Hessen", "Hesse")),
    EntitySpec("Q1208", _l("Brandenburg", "Brandenburg", "Brandebourg"),
               {"en": "state of Germany", "de": "Land in Deutschland"}, {"en": ["State of Brandenburg"]},
               [Claim("P31", "Q1221156"), Claim("P17", "Q183"), Claim("P131", "Q183"), _pop(2573135, 2022, "preferred")],
               _sites("Brandenburg", "Brandenburg", "Brandebourg")),
    EntitySpec("Q21", _l("England", "England", "Angleterre"),
               {"en": "country within the United Kingdom", "de": "Landesteil des Vereinigten Königreichs"}, {},
               [Claim("P31", "Q3336843"), Claim("P17", "Q145"), Claim("P131", "Q145"), Claim("P36", "Q84"),
                _pop(56490048, 2021, "preferred")],
               _sites("England", "England", "Angleterre")),
    EntitySpec("Q771", _l("Massachusetts", "Massachusetts", "Massachusetts"),
               {"en": "state of the United States of America", "de": "Bundesstaat der Vereinigten Staaten"},
               {"en": ["Commonwealth of Massachusetts", "MA"]},
               [Claim("P31", "Q35657"), Claim("P17", "Q30"), Claim("P131", "Q30"), _pop(7029917, 2020, "preferred")],
               _sites("Massachusetts")),
    EntitySpec("Q23666", _l("Great Britain", "Großbritannien", "Grande-Bretagne"),
               {"en": "island in the North Atlantic off the north-west coast of continental Europe",
                "de": "Insel im Nordatlantik"},
               {"en": ["Britain"], "de": ["Britannien"]},
               [Claim("P31", "Q23442"), Claim("P17", "Q145"), _area("209331")],
               _sites("Great Britain", "Großbritannien (Insel)", "Grande-Bretagne (île)")),
    # --- cities ---
    _city("Q64", _l("Berlin", "Berlin", "Berlin"),
          {"en": "capital and largest city of Germany", "de": "Hauptstadt und Land der Bundesrepublik Deutschland",
           "fr": "capitale de l'Allemagne"},
          {"en": ["Berlin, Germany", "City of Berlin"], "de": ["Bundeshauptstadt"]},
          _sites("Berlin"), "Q183", ["Q183"],
          [_pop(3755251, 2022, "preferred"), _pop(3644826, 2018),
           # a known-wrong figure kept with deprecated rank, as Wikidata does
           Claim("P1082", Quantity("+37552510"), "deprecated", (("P585", _year(2022)),))],
          (52.516666666667, 13.383333333333),
          [Claim("P31", "Q1221156"), Claim("P1376", "Q183"), _area("891.12"), Claim("P571", _year(1237)),
           Claim("P856", "https://www.berlin.de/"), Claim("P18", "Berlin Montage 4.jpg"),
           Claim("P281", "10115–14199"), Claim("P1448", Text("Berlin", "de")), Claim("P214", "122201567")]),
    _city("Q84", _l("London", "London", "Londres"),
          {"en": "capital city of the United Kingdom", "de": "Hauptstadt des Vereinigten Königreichs",
           "fr": "capitale du Royaume-Uni"},
          {"en": ["London, England", "Londinium"], "fr": ["Londinium"]},
          _sites("London", "London", "Londres"), "Q145", ["Q21"],
          [_pop(8799800, 2021, "preferred")], (51.507222222222, -0.1275),
          [Claim("P1376", "Q145"), Claim("P1376", "Q21"), _area("1572"), Claim("P571", _year(47)),
           Claim("P856", "https://www.london.gov.uk/"), Claim("P18", "London Skyline (125508655).jpeg")]),
    _city("Q90", _l("Paris", "Paris", "Paris"),
          {"en": "capital city of France", "de": "Hauptstadt Frankreichs", "fr": "capitale de la France"},
          {"en": ["City of Light"], "fr": ["Ville Lumière", "Paname"]},
          _sites("Paris"), "Q142", [],
          [_pop(2102650, 2023, "preferred"), _pop(2165423, 2019)], (48.856944444444, 2.3513888888889),
          [Claim("P1376", "Q142"), _area("105.4"), Claim("P856", "https://www.paris.fr/"), Claim("P281", "75001")]),
    _city("Q1055", _l("Hamburg", "Hamburg", "Hambourg"),
          {"en": "city and state in northern Germany", "de": "Stadtstaat in Norddeutschland", "fr": "ville d'Allemagne"},
          {"en": ["Free and Hanseatic City of Hamburg"], "de": ["Freie und Hansestadt Hamburg"]},
          _sites("Hamburg", "Hamburg", "Hambourg"), "Q183", ["Q183"],
          [_pop(1892122, 2022, "preferred")], (53.55, 10.0),
          [Claim("P31", "Q1221156"), _area("755.22"), Claim("P571", _year(808)),
           Claim("P1448", Text("Freie und Hansestadt Hamburg", "de"))]),
    _city("Q1726", _l("Munich", "München", "Munich"),
          {"en": "capital of Bavaria, Germany", "de": "Landeshauptstadt von Bayern", "fr": "capitale de la Bavière"},
          {"en": ["München", "Muenchen"], "de": ["Muenchen"]},
          _sites("Munich", "München", "Munich"), "Q183", ["Q980"],
          [_pop(1512491, 2022, "preferred")], (48.1375, 11.575),
          [Claim("P1376", "Q980"), Claim("P571", _year(1158)), _area("310.7")]),
    _city("Q1794", _l("Frankfurt am Main", "Frankfurt am Main", "Francfort-sur-le-Main"),
          {"en": "city in Hesse, Germany", "de": "Großstadt in Hessen", "fr": "ville d'Allemagne"},
          {"en": ["Frankfurt", "Frankfurt on the Main"], "de": ["Frankfurt"], "fr": ["Francfort"]},
          _sites("Frankfurt", "Frankfurt am Main", "Francfort-sur-le-Main"), "Q183", ["Q1199"],
          [_pop(773068, 2022, "preferred")], (50.110555555556, 8.6822222222222)),
    _city("Q4024", _l("Frankfurt (Oder)", "Frankfurt (Oder)", "Francfort-sur-l'Oder"),
          {"en": "town in Brandenburg, Germany", "de": "Stadt in Brandenburg"},
          {"en": ["Frankfurt", "Frankfurt an der Oder", "Frankfurt on the Oder"], "de": ["Frankfurt an der Oder"]},
          _sites("Frankfurt (Oder)", "Frankfurt (Oder)", "Francfort-sur-l'Oder"), "Q183", ["Q1208"],
          [_pop(57015, 2022, "preferred")], (52.35, 14.55),
          # the mayor exists but is unknown to the sample: a somevalue snak
          [Claim("P6", SOME_VALUE, qualifiers=(("P585", _year(2022)),))]),
    _city("Q350", _l("Cambridge", "Cambridge", "Cambridge"),
          {"en": "city in Cambridgeshire, England", "de": "Stadt in England", "fr": "ville d'Angleterre"},
          {"en": ["Cambridge, England"]}, _sites("Cambridge"), "Q145", ["Q21"],
          [_pop(145700, 2021, "preferred")], (52.205, 0.119)),
    _city("Q49111", _l("Cambridge", "Cambridge", "Cambridge"),
          {"en": "city in Middlesex County, Massachusetts, United States",
           "de": "Stadt in Massachusetts, Vereinigte Staaten"},
          {"en": ["Cambridge, Massachusetts", "Cambridge, MA"]},
          _sites("Cambridge, Massachusetts", "Cambridge (Massachusetts)", "Cambridge (Massachusetts)"),
          "Q30", ["Q771"], [_pop(118403, 2020, "preferred")], (42.375, -71.106111111111)),
    _city("Q456", _l("Lyon", "Lyon", "Lyon"),
          {"en": "city in France", "de": "Stadt in Frankreich", "fr": "commune française"},
          {"en": ["Lyons"]}, _sites("Lyon"), "Q142", [],
          [_pop(522250, 2021, "preferred")], (45.758888888889, 4.8413888888889)),
    _city("Q239", _l("Brussels", "Brüssel", "Bruxelles"),
          {"en": "capital of Belgium", "de": "Hauptstadt Belgiens", "fr": "capitale de la Belgique"},
          {"en": ["Bruxelles", "Brussel"], "fr": ["Bruxelles-Ville"]},
          _sites("Brussels", "Brüssel", "Bruxelles"), "Q31", [],
          [_pop(1222637, 2022, "preferred")], (50.846666666667, 4.3516666666667),
          [Claim("P1376", "Q31")]),
    _city("Q270", _l("Warsaw", "Warschau", "Varsovie"),
          {"en": "capital and largest city of Poland", "de": "Hauptstadt Polens", "fr": "capitale de la Pologne"},
          {"en": ["Warszawa"]}, _sites("Warsaw", "Warschau", "Varsovie"), "Q36", [],
          [_pop(1861975, 2022, "preferred")], (52.23, 21.011111111111),
          [Claim("P1376", "Q36")]),
    _city("Q3012", _l("Ulm", "Ulm", "Ulm"),
          {"en": "city in Baden-Württemberg, Germany", "de": "Stadt in Baden-Württemberg"}, {},
          _sites("Ulm"), "Q183", [], [_pop(126329, 2021, "preferred")], (48.398333333333, 9.9916666666667)),
    # --- people ---
    _person("Q567", _l("Angela Merkel"),
            {"en": "Chancellor of Germany from 2005 to 2021", "de": "deutsche Politikerin (CDU)",
             "fr": "femme d'État allemande"},
            {"en": ["Angela Dorothea Merkel", "Merkel"], "de": ["Angela Dorothea Kasner"]},
            _sites("Angela Merkel"), "female", _day("1954-07-17"), "Q1055", ["Q183"],
            [Claim("P18", "Angela Merkel 2019 cropped.jpg"), Claim("P214", "59868405")]),
    _person("Q937", _l("Albert Einstein"),
            {"en": "German-born theoretical physicist", "de": "deutscher Physiker", "fr": "physicien théoricien"},
            {"en": ["Einstein"]}, _sites("Albert Einstein"), "male", _day("1879-03-14"), "Q3012",
            ["Q183", "Q39", Claim("P27", "Q30", qualifiers=(("P580", _day("1940-10-01")),))],
            [Claim("P166", "Q38104", qualifiers=(("P585", _year(1921)),)),
             Claim("P214", "75121530")]),
    _person("Q7259", _l("Ada Lovelace"),
            {"en": "English mathematician, considered the first computer programmer",
             "de": "britische Mathematikerin", "fr": "mathématicienne britannique"},
            {"en": ["Augusta Ada King", "Countess of Lovelace", "Ada Byron"]},
            _sites("Ada Lovelace"), "female", _day("1815-12-10"), "Q84", ["Q145"]),
    _person("Q7186", _l("Marie Curie"),
            {"en": "Polish-French physicist and chemist", "de": "polnisch-französische Physikerin",
             "fr": "physicienne et chimiste"},
            {"en": ["Maria Skłodowska", "Marie Skłodowska-Curie", "Madame Curie", "Curie"]},
            _sites("Marie Curie"), "female", _day("1867-11-07"), "Q270", ["Q36", "Q142"],
            [Claim("P26", "Q37463", qualifiers=(("P580", _day("1895-07-26")),)),
             Claim("P166", "Q38104", qualifiers=(("P585", _year(1903)),)),
             Claim("P166", "Q44585", qualifiers=(("P585", _year(1911)),))]),
    _person("Q37463", _l("Pierre Curie"),
            {"en": "French physicist", "de": "französischer Physiker", "fr": "physicien français"},
            {"en": ["Curie"]}, _sites("Pierre Curie"), "male", _day("1859-05-15"), "Q90", ["Q142"],
            [Claim("P26", "Q7186", qualifiers=(("P580", _day("1895-07-26")),)),
             Claim("P166", "Q38104", qualifiers=(("P585", _year(1903)),))]),
    _person("Q9682", _l("Elizabeth II"),
            {"en": "Queen of the United Kingdom from 1952 to 2022", "de": "Königin des Vereinigten Königreichs",
             "fr": "reine du Royaume-Uni"},
            {"en": ["Queen Elizabeth II", "Elizabeth Alexandra Mary", "Queen Elizabeth"]},
            _sites("Elizabeth II"), "female", _day("1926-04-21"), "Q84", ["Q145"]),
    _person("Q43274", _l("Charles III"),
            {"en": "King of the United Kingdom since 2022", "de": "König des Vereinigten Königreichs",
             "fr": "roi du Royaume-Uni"},
            {"en": ["King Charles III", "Prince Charles", "Charles Philip Arthur George"]},
            _sites("Charles III"), "male", _day("1948-11-14"), "Q84", ["Q145"]),
    _person("Q935", _l("Isaac Newton"),
            {"en": "English physicist and mathematician", "de": "englischer Naturforscher",
             "fr": "mathématicien et physicien anglais"},
            {"en": ["Sir Isaac Newton", "Newton"]}, _sites("Isaac Newton"), "male",
            # Newton was born on 25 December 1642 of the Julian calendar then in use in England
            Time("+1642-12-25T00:00:00Z", 11, "Q1985786"), None, [],
            [Claim("P69", "Q35794", references=(WIKI_EN,)),
             Claim("P26", NO_VALUE, references=(WIKI_EN,)),
             Claim("P214", "27063124")]),
    _person("Q3052772", _l("Emmanuel Macron"),
            {"en": "President of France since 2017", "de": "französischer Politiker", "fr": "homme d'État français"},
            {"en": ["Macron", "Emmanuel Jean-Michel Frédéric Macron"]}, _sites("Emmanuel Macron"),
            "male", _day("1977-12-21"), None, ["Q142"]),
    _person("Q329", _l("Nicolas Sarkozy"),
            {"en": "President of France from 2007 to 2012", "de": "französischer Politiker",
             "fr": "homme d'État français"},
            {"en": ["Sarkozy"]}, _sites("Nicolas Sarkozy"), "male", _day("1955-01-28"), "Q90", ["Q142"]),
    # --- organizations ---
    EntitySpec("Q458", _l("European Union", "Europäische Union", "Union européenne"),
               {"en": "political and economic union of 27 European states", "de": "Staatenverbund in Europa",
                "fr": "union politico-économique européenne"},
               {"en": ["EU", "E.U."], "de": ["EU"], "fr": ["UE"]},
               [Claim("P31", "Q484652"), Claim("P571", _day("1993-11-01")), Claim("P159", "Q239"),
                Claim("P856", "https://european-union.europa.eu/"),
                Claim("P1448", Text("European Union", "en")), Claim("P1448", Text("Europäische Union", "de")),
                Claim("P1448", Text("Union européenne", "fr"))],
               _sites("European Union", "Europäische Union", "Union européenne")),
    EntitySpec("Q7184", _l("NATO", "NATO", "Organisation du traité de l'Atlantique nord"),
               {"en": "intergovernmental military alliance", "de": "Militärbündnis", "fr": "alliance militaire"},
               {"en": ["North Atlantic Treaty Organization", "North Atlantic Alliance"], "fr": ["OTAN"]},
               [Claim("P31", "Q484652"), Claim("P571", _day("1949-04-04")), Claim("P159", "Q239")],
               _sites("NATO", "NATO", "Organisation du traité de l'Atlantique nord")),
    EntitySpec("Q1065", _l("United Nations", "Vereinte Nationen", "Organisation des Nations unies"),
               {"en": "intergovernmental organization", "de": "zwischenstaatliche Organisation"},
               {"en": ["UN", "U.N."], "de": ["UNO", "UN"], "fr": ["ONU"]},
               [Claim("P31", "Q484652"), Claim("P571", _day("1945-10-24"))],
               _sites("United Nations", "Vereinte Nationen", "Organisation des Nations unies")),
    EntitySpec("Q26678", _l("BMW", "BMW", "BMW"),
               {"en": "German automobile manufacturer", "de": "deutscher Automobilhersteller",
                "fr": "constructeur automobile allemand"},
               {"en": ["Bayerische Motoren Werke", "BMW AG"]},
               [Claim("P31", "Q4830453"), Claim("P17", "Q183"), Claim("P159", "Q1726"),
                Claim("P571", _day("1916-03-07")), Claim("P856", "https://www.bmw.com/")],
               _sites("BMW")),
    EntitySpec("Q35794", _l("University of Cambridge", "Universität Cambridge", "université de Cambridge"),
               {"en": "university in Cambridge, England", "de": "Universität in England"},
               {"en": ["Cambridge University", "Cambridge"]},
               [Claim("P31", "Q3918"), Claim("P17", "Q145"), Claim("P131", "Q350"), Claim("P159", "Q350"),
                Claim("P571", _year(1209))],
               _sites("University of Cambridge", "University of Cambridge", "Université de Cambridge")),
    EntitySpec("Q13371", _l("Harvard University", "Harvard University", "université Harvard"),
               {"en": "private university in Cambridge, Massachusetts", "de": "Privatuniversität in den USA"},
               {"en": ["Harvard"]},
               [Claim("P31", "Q3918"), Claim("P17", "Q30"), Claim("P131", "Q49111"), Claim("P159", "Q49111"),
                Claim("P571", _day("1636-09-08"))],
               _sites("Harvard University")),
]


def all_entities() -> list[EntitySpec]:
    """Every entity of the sample KG: items first, then properties, each in declaration order."""
    return [*ITEMS, *PROPERTIES]
