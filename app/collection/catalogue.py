"""The kept catalogue of sorted goods: categories, their subcategories, and what each asks for.

Kept in the code, not in a table, so every hall sorts by the same list and a label names the
same goods in German and Ukrainian wherever it is printed. Each name is given in German,
Ukrainian and English.
"""

from dataclasses import dataclass

from app.collection.models import StockCategory


@dataclass(frozen=True)
class Subcategory:
    code: str
    de: str
    uk: str
    en: str

    def name(self, language: str) -> str:
        return {"de": self.de, "uk": self.uk}.get(language, self.en)


@dataclass(frozen=True)
class Category:
    category: StockCategory
    de: str
    uk: str
    en: str
    subcategories: tuple[Subcategory, ...]
    # What a line of this category records besides quantity and unit.
    gender: bool = False
    size: bool = False
    season: bool = False
    best_before: bool = False  # food: a best-before date is required
    batch_and_expiry: bool = False  # medical supplies: batch and expiry are required
    default_unit: str = "pcs"

    def name(self, language: str) -> str:
        return {"de": self.de, "uk": self.uk}.get(language, self.en)

    def subcategory(self, code: str) -> Subcategory | None:
        return next((s for s in self.subcategories if s.code == code), None)


S = Subcategory
CATALOGUE: dict[StockCategory, Category] = {
    c.category: c
    for c in (
        Category(
            StockCategory.clothing,
            "Kleidung",
            "Одяг",
            "Clothing",
            (
                S("jackets", "Jacken", "Куртки", "Jackets"),
                S("coats", "Mäntel", "Пальта", "Coats"),
                S("sweaters", "Pullover", "Светри", "Sweaters"),
                S("trousers", "Hosen", "Штани", "Trousers"),
                S("underwear", "Unterwäsche", "Білизна", "Underwear"),
                S("socks", "Socken", "Шкарпетки", "Socks"),
                S("hats_gloves", "Mützen und Handschuhe", "Шапки та рукавички", "Hats and gloves"),
            ),
            gender=True,
            size=True,
            season=True,
        ),
        Category(
            StockCategory.shoes,
            "Schuhe",
            "Взуття",
            "Shoes",
            (
                S("boots", "Stiefel", "Чоботи", "Boots"),
                S("shoes", "Halbschuhe", "Черевики", "Shoes"),
                S("slippers", "Hausschuhe", "Капці", "Slippers"),
            ),
            gender=True,
            size=True,
            season=True,
            default_unit="pairs",
        ),
        Category(
            StockCategory.hygiene,
            "Hygiene",
            "Гігієна",
            "Hygiene",
            (
                S("soap", "Seife und Duschgel", "Мило та гель для душу", "Soap and shower gel"),
                S("dental", "Zahnpflege", "Догляд за зубами", "Dental care"),
                S("sanitary", "Damenhygiene", "Жіноча гігієна", "Sanitary products"),
                S("incontinence", "Inkontinenzartikel", "Засоби при нетриманні", "Incontinence"),
            ),
        ),
        Category(
            StockCategory.baby_care,
            "Babypflege",
            "Догляд за немовлятами",
            "Baby care",
            (
                S("nappies", "Windeln", "Підгузки", "Nappies"),
                S("wipes", "Feuchttücher", "Вологі серветки", "Wipes"),
                S("baby_clothes", "Babykleidung", "Дитячий одяг", "Baby clothes"),
            ),
            size=True,
        ),
        Category(
            StockCategory.food,
            "Lebensmittel",
            "Продукти харчування",
            "Food",
            (
                S("canned", "Konserven", "Консерви", "Canned food"),
                S("dry", "Trockenware", "Сухі продукти", "Dry goods"),
                S("baby_food", "Babynahrung", "Дитяче харчування", "Baby food"),
            ),
            best_before=True,
        ),
        Category(
            StockCategory.medical,
            "Medizinischer Bedarf",
            "Медичні засоби",
            "Medical supplies",
            (
                S("dressings", "Verbandsmaterial", "Перев'язувальні матеріали", "Dressings"),
                S("gloves", "Einmalhandschuhe", "Одноразові рукавички", "Disposable gloves"),
                S("syringes", "Spritzen und Kanülen", "Шприци та голки", "Syringes and needles"),
                S("medicines", "Arzneimittel", "Лікарські засоби", "Medicines"),
            ),
            batch_and_expiry=True,
            default_unit="packs",
        ),
        Category(
            StockCategory.bedding,
            "Bettwaren",
            "Постільні речі",
            "Bedding",
            (
                S("blankets", "Decken", "Ковдри", "Blankets"),
                S("sleeping_bags", "Schlafsäcke", "Спальні мішки", "Sleeping bags"),
                S("bed_linen", "Bettwäsche", "Постільна білизна", "Bed linen"),
                S("pillows", "Kissen", "Подушки", "Pillows"),
            ),
        ),
        Category(
            StockCategory.tools,
            "Werkzeug",
            "Інструменти",
            "Tools",
            (
                S("hand_tools", "Handwerkzeug", "Ручний інструмент", "Hand tools"),
                S("power_tools", "Elektrowerkzeug", "Електроінструмент", "Power tools"),
                S("torches", "Taschenlampen", "Ліхтарики", "Torches"),
                S("power_banks", "Powerbanks", "Павербанки", "Power banks"),
            ),
        ),
    )
}


def goods_name(category: StockCategory, subcategory: str | None, language: str) -> str:
    """ "Kleidung: Jacken" in the language asked for (de, uk, en)."""
    entry = CATALOGUE[category]
    sub = entry.subcategory(subcategory) if subcategory else None
    return f"{entry.name(language)}: {sub.name(language)}" if sub else entry.name(language)
