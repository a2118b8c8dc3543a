import pytest

from niaga.registry import selectors, services
from niaga.registry.models import Business, MatchPair, MergeEvent, PairStatus
from tests.registry.conftest import roster

pytestmark = pytest.mark.django_db

KEMENPERIN = "P1,kemenperin,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,0812-3456-7890,siti@kopisari.id,kopi,,"
# The same business in another ministry's roster: old spelling, legal form dropped, same NIB.
KEMENDAG = "D7,kemendag,Kopi Sari Djaja,Siti Aminah,9120001234567,,,,,,Jalan Merdeka No 5,ID-JB,Bandung,40111,,,coffee,,"
OTHER = "P2,kemenperin,UD Rotan Makmur,Agus Salim,9120005550001,,,,,,Jl. Rotan 1,ID-JT,Cirebon,45111,,,handicrafts,,"


def link(officer):
    return services.run_linkage(actor=officer)


def test_the_same_identifier_in_two_rosters_is_merged_on_its_own(officer, send):
    send(officer, roster(KEMENPERIN, OTHER), source="kemenperin")
    send(officer, roster(KEMENDAG), source="kemendag")  # the import queues linkage itself
    assert MergeEvent.objects.count() == 1
    assert link(officer)["merged"] == 0  # a rerun finds nothing new
    survivors = Business.objects.filter(merged_into=None)
    assert survivors.count() == 2
    sari = survivors.get(nib="9120001234567")
    assert sari.phone == "+6281234567890"  # only one source had it: nothing lost in the merge
    provenance = selectors.provenance_of(sari)
    assert {value.source.name for value in provenance["business_name"]} == {
        "kemenperin",
        "kemendag",
    }
    event = MergeEvent.objects.get()
    assert event.automatic and event.pair.method.startswith("identifier")


def test_an_undone_merge_stays_undone_when_linkage_runs_again(officer, send):
    send(officer, roster(KEMENPERIN), source="kemenperin")
    send(officer, roster(KEMENDAG), source="kemendag")
    link(officer)
    event = MergeEvent.objects.get()
    services.undo_merge(actor=officer, event=event)
    assert Business.objects.filter(merged_into=None).count() == 2
    assert MatchPair.objects.get().status == PairStatus.SEPARATED
    assert link(officer)["merged"] == 0
    assert Business.objects.filter(merged_into=None).count() == 2
    with pytest.raises(services.WrongState):
        services.undo_merge(actor=officer, event=event)


def test_an_officer_decides_a_pair_from_the_review_queue(officer, send):
    send(officer, roster(KEMENPERIN), source="kemenperin")
    send(officer, roster(KEMENDAG.replace("9120001234567", "")), source="kemendag")
    MatchPair.objects.all().delete()
    left, right = sorted(Business.objects.values_list("pk", flat=True))
    pair = MatchPair.objects.create(
        left_id=left,
        right_id=right,
        match_probability=0.7,
        match_weight=1.2,
        method="probabilistic",
        status=PairStatus.PENDING,
    )
    assert list(selectors.review_queue(officer)) == [pair]
    services.separate_pair(actor=officer, pair=pair)
    assert not selectors.review_queue(officer).exists()
    with pytest.raises(services.WrongState):
        services.merge_pair(actor=officer, pair=pair)
    link(officer)
    pair.refresh_from_db()
    assert pair.status == PairStatus.SEPARATED


def test_source_priority_picks_the_current_value_and_keeps_both(officer, send):
    from niaga.registry.models import RosterSource

    send(officer, roster(KEMENPERIN), source="kemenperin")
    send(
        officer, roster(KEMENDAG.replace(",,,coffee", ",+62 22 7654321,,coffee")), source="kemendag"
    )
    link(officer)
    sari = Business.objects.get(merged_into=None, nib="9120001234567")
    phones = [value.value for value in selectors.provenance_of(sari)["phone"]]
    assert sorted(phones) == ["+62227654321", "+6281234567890"]
    RosterSource.objects.filter(name="kemendag").update(priority=1)
    services.refresh_current_values({sari.pk})
    sari.refresh_from_db()
    assert sari.phone == "+62227654321"
