"""Table ``budgets_annexes``: Σ budgets = real OFGL totals 2014–2017 (±1 %), identities, published anchors, strict
reader."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.construction import charger
from orleans_gov.construction.budgets_annexes import construire_budgets_annexes
from orleans_gov.sources.budgets_annexes import read_budgets_annexes


@pytest.fixture(scope="module")
def ba(donnees_construites) -> pd.DataFrame:
    return charger("budgets_annexes", donnees_construites)


def test_somme_des_budgets_egale_le_total_ofgl(ba, donnees_construites):
    """2014: OFGL dette_ba = 334 192,17 k€, rec_fonc_ba = 122 687,71 k€ (read in the real file by hand)."""
    s = ba.groupby("an")[["encours_dette", "recettes_fonctionnement"]].sum()
    assert s.loc[2014, "encours_dette"] == pytest.approx(334_192.17, rel=0.01)
    assert s.loc[2014, "recettes_fonctionnement"] == pytest.approx(122_687.71, rel=0.01)
    ofgl = charger("ofgl_agglo", donnees_construites).set_index("an")
    for an in (2014, 2015, 2016, 2017):
        for col, c in (("encours_dette", "dette_ba"), ("emprunt", "emprunt_ba"),
                       ("remboursement_capital", "remboursement_ba"), ("depenses_equipement", "dep_equip_ba"),
                       ("depenses_fonctionnement", "dep_fonc_ba")):
            assert ba[ba["an"] == an][col].sum() == pytest.approx(ofgl.loc[an, c], rel=0.01), (an, col)
    assert set(ba[ba["an"].between(2014, 2017)]["origine"]) == {
        "réel (total OFGL des budgets annexes), répartition exemple"}
    assert set(ba["provenance"]) == {"exemple"}


def test_identites_de_chaque_budget(ba):
    assert (ba["epargne_brute"] - (ba["recettes_fonctionnement"] - ba["depenses_fonctionnement"])).abs().max() < 0.011
    for b, g in ba.groupby("budget"):
        g = g.sort_values("an")
        prec = g["encours_dette"].shift(1)
        ecart = g["encours_dette"] - (prec + g["emprunt"] - g["remboursement_capital"] + g["variation_perimetre"])
        assert ecart.dropna().abs().max() < 0.03, b
    assert (ba[["emprunt", "remboursement_capital", "encours_dette"]] >= 0).all().all()


def test_budgets_tenus_et_ancres_publiees(ba):
    """Transport and assainissement every year, eau from 2017 only; versement transport only on transports;
    transport debt 137 M€ (BP 2008) and 259 M€ (BP 2011), about half of the 531 M€ consolidated debt of 2011."""
    par_an = ba.groupby("an")["budget"].apply(frozenset)
    assert par_an.loc[2013] == {"transports", "assainissement"}
    assert par_an.loc[2017] == {"transports", "assainissement", "eau"}
    assert ba[ba["budget"] != "transports"]["versement_transport"].isna().all()
    t = ba[ba["budget"] == "transports"].set_index("an")
    assert t.loc[2008, "encours_dette"] == pytest.approx(137_000, rel=0.10)
    assert t.loc[2011, "encours_dette"] == pytest.approx(259_000, rel=0.10)
    assert 0.4 < t.loc[2011, "encours_dette"] / 531_000 < 0.6
    assert t.loc[2011, "subvention_equilibre"] == pytest.approx(28_000, rel=0.10)


def _copie(tmp_path, donnees_construites) -> Catalogue:
    cat = Catalogue.depuis(tmp_path / "data")
    src = Catalogue.depuis(donnees_construites)
    cat.budgets_annexes_sample.parent.mkdir(parents=True)
    shutil.copy(src.budgets_annexes_sample, cat.budgets_annexes_sample)
    cat.ofgl_investissement.parent.mkdir(parents=True)
    shutil.copy(src.ofgl_investissement, cat.ofgl_investissement)
    return cat


def test_un_total_qui_s_ecarte_de_l_ofgl_arrete_la_construction(tmp_path, donnees_construites):
    cat = _copie(tmp_path, donnees_construites)
    df = pd.read_csv(cat.budgets_annexes_sample, dtype=str, keep_default_na=False)
    i = df.index[(df["an"] == "2015") & (df["budget"] == "transports")][0]
    df.loc[i, "encours_dette"] = "100.00"
    df.to_csv(cat.budgets_annexes_sample, index=False)
    with pytest.raises(ErreurDonnees, match="dette_ba"):
        construire_budgets_annexes(cat)


@pytest.mark.parametrize("modif, attendu", [
    (lambda t: t.replace("epargne_brute", "epargne"), "en-tête inattendu"),
    (lambda t: t.replace(",transports,", ",tramway,", 1), "budget inconnu"),
    (lambda t: t + t.splitlines()[1] + "\n", "présent deux fois"),
])
def test_lecteur_strict(tmp_path, donnees_construites, modif, attendu):
    cat = _copie(tmp_path, donnees_construites)
    p = cat.budgets_annexes_sample
    p.write_text(modif(p.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ErreurDonnees, match=attendu) as e:
        read_budgets_annexes(p)
    assert "budgets_annexes.csv" in str(e.value)


def test_virgule_decimale_refusee(tmp_path, donnees_construites):
    cat = _copie(tmp_path, donnees_construites)
    p = cat.budgets_annexes_sample
    lignes = p.read_text(encoding="utf-8").splitlines()
    champs = lignes[3].split(",")
    champs[2] = '"' + champs[2].replace(".", ",") + '"'
    lignes[3] = ",".join(champs)
    p.write_text("\n".join(lignes) + "\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="virgule décimale") as e:
        read_budgets_annexes(p)
    assert e.value.ligne == 4 and e.value.colonne == "recettes_fonctionnement"
