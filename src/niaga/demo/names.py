"""Name parts for a demo world that reads like real Indonesian, Indian and foreign firms."""

import random

INDONESIAN_FORMS = ["CV", "PT", "UD", "Koperasi"]
INDONESIAN_WORDS = [
    "Sinar",
    "Maju",
    "Jaya",
    "Makmur",
    "Sejahtera",
    "Karya",
    "Berkah",
    "Nusantara",
    "Mandiri",
    "Abadi",
    "Lestari",
    "Sentosa",
    "Cahaya",
    "Mulia",
    "Bumi",
    "Tunas",
    "Harapan",
    "Sumber",
]
INDIAN_WORDS = [
    "Shree",
    "Sai",
    "Ganesh",
    "Laxmi",
    "Bharat",
    "Navkar",
    "Surya",
    "Kaveri",
    "Ganga",
    "Himalaya",
    "Deccan",
    "Vardhman",
    "Kalpataru",
    "Annapurna",
    "Sahyadri",
    "Narmada",
]
INDIAN_FORMS = ["Pvt Ltd", "LLP", "Enterprises", "Industries", "Exports"]
PRODUCTS = {
    "food": ("Pangan", "Foods"),
    "coffee_tea_cocoa": ("Kopi", "Tea Estates"),
    "spices": ("Rempah", "Spices"),
    "textiles": ("Tekstil", "Textiles"),
    "batik_handloom": ("Batik", "Handlooms"),
    "handicrafts": ("Kerajinan", "Handicrafts"),
    "furniture": ("Mebel", "Woodcraft"),
    "leather": ("Kulit", "Leather Works"),
    "jewellery": ("Perak", "Jewels"),
    "cosmetics": ("Herbal", "Ayurveda"),
    "ceramics": ("Keramik", "Ceramics"),
    "fresh_produce": ("Tani", "Agro Fresh"),
}
BUYER_NAMES = {
    "US": ["Pacific Rim Imports", "Heartland Trading Co."],
    "DE": ["Hanse Import GmbH", "Rheinland Handelshaus"],
    "AE": ["Gulf Gateway Trading LLC", "Al Noor General Trading"],
    "JP": ["Sakura Boeki K.K.", "Kansai Shoji"],
    "SA": ["Najd Import Est.", "Red Sea Sourcing"],
    "AU": ["Southern Cross Wholesale", "Coral Coast Importers"],
    "NL": ["Delta Goederen B.V.", "Amstel Trading"],
    "GB": ["Thames Sourcing Ltd", "Pennine Imports"],
    "SG": ["Straits Merchants Pte", "Lion City Sourcing"],
    "ES": ["Iberia Importaciones S.L.", "Levante Comercial"],
    "KR": ["Hanbit Trading", "Busan Global Sourcing"],
    "FR": ["Comptoir du Levant", "Maison Atlantique Import"],
    "NG": ["Lagos Gateway Imports", "Niger Delta Trading"],
}


def indonesian_business(rng: random.Random, sector: str) -> str:
    form = rng.choice(INDONESIAN_FORMS)
    first, second = rng.sample(INDONESIAN_WORDS, 2)
    return f"{form} {PRODUCTS[sector][0]} {first} {second}"


def indian_business(rng: random.Random, sector: str) -> str:
    return f"{rng.choice(INDIAN_WORDS)} {PRODUCTS[sector][1]} {rng.choice(INDIAN_FORMS)}"


def buyer_company(country: str, index: int) -> str:
    return BUYER_NAMES[country][index % len(BUYER_NAMES[country])]
