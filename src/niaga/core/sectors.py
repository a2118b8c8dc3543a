"""The sectors Niaga files businesses and listings under."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    FOOD = "food", _("Processed food and beverages")
    COFFEE_TEA_COCOA = "coffee_tea_cocoa", _("Coffee, tea and cocoa")
    SPICES = "spices", _("Spices and herbs")
    TEXTILES = "textiles", _("Textiles and apparel")
    BATIK_HANDLOOM = "batik_handloom", _("Batik and handloom")
    HANDICRAFTS = "handicrafts", _("Handicrafts")
    FURNITURE = "furniture", _("Furniture and wood products")
    LEATHER = "leather", _("Leather and footwear")
    JEWELLERY = "jewellery", _("Jewellery")
    COSMETICS = "cosmetics", _("Cosmetics and herbal products")
    CERAMICS = "ceramics", _("Ceramics and glass")
    FRESH_PRODUCE = "fresh_produce", _("Fresh produce")
