import pytest

from niaga.registry.linkage.normalise import (
    name_tokens,
    normalise_address,
    normalise_business_name,
    normalise_email,
    normalise_person_name,
    normalise_phone_digits,
    respell_indonesian,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PT. Sinar Jaya", "sinar jaya"),
        ("P.T. Sinar Jaya Tbk", "sinar jaya"),
        ("CV Maju Bersama", "maju bersama"),
        ("UD. Berkah", "berkah"),
        ("Koperasi Tani Makmur", "tani makmur"),
        ("Kop. Tani Makmur", "tani makmur"),
        ("PT Semen Gresik (Persero) Tbk", "semen gresik"),
        ("Shree Laxmi Enterprises Pvt. Ltd.", "sri lakshmi"),
        ("Sri Lakshmi Industries Private Limited", "sri lakshmi"),
        ("Patel Spices LLP", "patel spices"),
        ("Ram & Sons", "ram"),
        ("Gupta and Co.", "gupta"),
        ("Mohammed Leather Works Ltd", "muhammad leather works"),
        ("PT", "pt"),
        ("", ""),
    ],
)
def test_business_names_lose_case_punctuation_and_legal_forms(raw, expected):
    assert normalise_business_name(raw) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Djaja", "jaya"),
        ("Tjahaja", "cahaya"),
        ("Soerabaja", "surabaya"),
        ("Madjoe", "maju"),
        ("Njonja", "nyonya"),
        ("Sjarif", "syarif"),
        ("Pandjang", "panjang"),
        ("Djakarta", "jakarta"),
        ("Achmad", "ahmad"),
    ],
)
def test_old_indonesian_spellings_become_eyd(old, new):
    assert normalise_business_name(old) == new


@pytest.mark.parametrize("modern", ["jaya", "maju", "panjang", "banjir", "jakarta", "raja"])
def test_modern_words_keep_their_j(modern):
    # j -> y applies only to words that carry an old-spelling marker.
    assert respell_indonesian(modern) == modern


def test_dj_becomes_j_before_old_j_becomes_y():
    assert respell_indonesian("djaja") == "jaya"
    assert normalise_business_name("Toko Djaja Abadi") == normalise_business_name("Toko Jaya Abadi")


def test_indian_names_are_not_respelled_as_old_indonesian():
    assert normalise_business_name("Chandra Traders", country="IN-MH") == "chandra traders"
    assert normalise_business_name("Sanjay Textiles", country="IN") == "sanjay textiles"


def test_transliteration_variants_fold_together():
    names = ["Shri Ganesh Traders", "Shree Ganesh Traders", "Sri Ganesha Traders"]
    assert len({normalise_business_name(n) for n in names}) == 1
    assert normalise_person_name("Mohammad Iqbal") == normalise_person_name("Muhammad Iqbal")
    assert normalise_person_name("Noor Hayati") == normalise_person_name("Nur Hayati")


def test_person_names_lose_titles():
    assert normalise_person_name("Bapak H. Soedarmo") == "sudarmo"
    assert normalise_person_name("Smt. Laxmi Devi") == "lakshmi devi"
    assert normalise_person_name("Shri Ramesh Kumar", country="IN-KA") == "ramesh kumar"
    # Sri is a given name in Indonesia and an honorific in India.
    assert normalise_person_name("Sri Mulyani", country="ID-JK") == "sri mulyani"
    assert normalise_person_name("Sri Ramesh", country="IN-TN") == "ramesh"


def test_addresses_spell_out_abbreviations():
    assert normalise_address("Jl. Soedirman No. 12, Kec. Tegalsari") == (
        "jalan sudirman no 12 kecamatan tegalsari"
    )
    assert normalise_address("Jln Raya Bogor Gg. 5") == "jalan raya bogor gang 5"
    assert normalise_address("12 MG Rd, Opp. City Mkt", country="IN") == (
        "12 mg road opposite city market"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+62 812-3456-7890", "1234567890"),
        ("081234567890", "1234567890"),
        ("+91 98765 43210", "9876543210"),
        ("123", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_digits_keep_the_tail(raw, expected):
    assert normalise_phone_digits(raw) == expected


def test_email_and_tokens():
    assert normalise_email("  Toko.Berkah@Gmail.COM ") == "toko.berkah@gmail.com"
    assert normalise_email("not an email") == ""
    assert name_tokens("PT Berkah Berkah Jaya") == ["berkah", "jaya"]
