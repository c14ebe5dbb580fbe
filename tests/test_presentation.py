"""House style: expected strings are written by hand (U+202F thousands separator, U+00A0 before units)."""
from __future__ import annotations

import math
import warnings
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from orleans_gov import restitution as p
from orleans_gov.restitution.tableaux import ENTETE_PROVENANCE

F = "\u202f"  # espace fine insécable
N = "\u00a0"  # espace insécable


@pytest.mark.parametrize("x, dec, attendu", [
    (1234.5, 1, f"1{F}234,5"),
    (1234.5, 0, f"1{F}235"),          # arrondi « au plus proche, demi vers le haut »
    (2.675, 2, "2,68"),                # la valeur lue (2,675), pas sa représentation binaire
    (0, 0, "0"),
    (-0.4, 0, "0"),                    # pas de « -0 »
    (-1234567.891, 2, f"-1{F}234{F}567,89"),
    (999.96, 1, f"1{F}000,0"),
    (12, 0, "12"),
    (np.int64(45234), 0, f"45{F}234"),
    (np.float32(0.5), 1, "0,5"),
    (Decimal("1000.25"), 1, f"1{F}000,3"),
])
def test_fmt_nombre(x, dec, attendu):
    assert p.fmt_nombre(x, dec) == attendu


@pytest.mark.parametrize("manquant", [None, float("nan"), np.nan, pd.NA, math.inf, -math.inf, pd.NaT])
def test_manquant_nd(manquant):
    assert p.fmt_nombre(manquant) == "n.d."
    assert p.fmt_pct(manquant) == "n.d."
    assert p.fmt_keur(manquant) == "n.d."
    assert p.fmt_meur(manquant) == "n.d."
    assert p.fmt_eur_hab(manquant) == "n.d."
    assert p.fmt_indice(manquant) == "n.d."


def test_non_numerique_refuse():
    with pytest.raises(TypeError):
        p.fmt_nombre("12")
    with pytest.raises(TypeError):
        p.fmt_nombre(True)
    with pytest.raises(ValueError):
        p.fmt_nombre(1.0, -1)


def test_unites():
    assert p.fmt_pct(0.123) == f"12,3{N}%"
    assert p.fmt_pct(0.12345, 2) == f"12,35{N}%"      # 12,345 → 12,35 (demi vers le haut)
    assert p.fmt_pct(12.3, fraction=False) == f"12,3{N}%"
    assert p.fmt_pct(-0.05, 0) == f"-5{N}%"
    assert p.fmt_keur(1234) == f"1{F}234{N}k€"
    assert p.fmt_keur(1234.56, 1) == f"1{F}234,6{N}k€"
    # 12 345 k€ = 12,345 M€ → 12,3 M€
    assert p.fmt_meur(12345) == f"12,3{N}M€"
    # 123 456 789 k€ = 123 456,789 M€
    assert p.fmt_meur(123456789, 0) == f"123{F}457{N}M€"
    assert p.fmt_eur_hab(1531.2) == f"1{F}531{N}€/hab."
    # 1,124 × 100 = 112,4 → 112
    assert p.fmt_indice(1.124) == "112"
    assert p.fmt_indice(0.9876, 1) == "98,8"
    assert p.fmt_annee(2014) == "2014"
    assert p.fmt_annee(2014.0) == "2014"


def test_est_exemple():
    assert p.est_exemple(True) is True
    assert p.est_exemple(False) is False
    assert p.est_exemple(pd.DataFrame({"provenance": ["réel", "exemple"]})) is True
    assert p.est_exemple(pd.DataFrame({"provenance": ["réel", "réel"]})) is False
    assert p.est_exemple([pd.DataFrame({"provenance": ["réel"]}), "exemple"]) is True
    with pytest.warns(UserWarning, match="provenance"):
        assert p.est_exemple(pd.DataFrame({"x": [1]})) is False


def test_bandeau_et_source():
    assert p.bandeau_exemple(False, afficher=False) is None
    assert p.bandeau_exemple(pd.DataFrame({"provenance": ["réel"]}), afficher=False) is None
    b = p.bandeau_exemple(pd.DataFrame({"provenance": ["exemple"]}), afficher=False)
    assert "Données d&#x27;exemple — ne pas diffuser" in b._repr_html_()
    assert 'class="og-bandeau-exemple"' in b._repr_html_()
    s = p.note_source("DGFiP, comptes individuels des communes 2023", afficher=False)
    assert repr(s) == "Source : DGFiP, comptes individuels des communes 2023"
    assert "Source : DGFiP" in s._repr_html_()
    assert repr(p.note_source("Note : montants en k€", afficher=False)) == "Note : montants en k€"


def test_tableau():
    df = pd.DataFrame({
        "Commune": ["Orléans", "Bou"],
        "an": [2014, 2014],
        "Épargne brute": [21234.0, np.nan],
        "Taux": [0.1234, 0.05],
        "Dépenses": [1531.2, 980.0],
        "provenance": ["exemple", "exemple"],
    })
    t = p.tableau(df, formats={"Épargne brute": "keur", "Taux": "pct", "Dépenses": ("eur_hab", 1)},
                  titre="Épargne brute", source="DGFiP, comptes individuels 2014")
    h = t._repr_html_()
    assert "<table" in h and "<caption" in h
    assert f">21{F}234{N}k€<" in h
    assert ">n.d.<" in h
    assert f">12,3{N}%<" in h
    assert f">1{F}531,2{N}€/hab.<" in h
    assert ">2014<" in h                  # pas de séparateur dans les années
    assert "og-bandeau-exemple" in h      # bandeau : provenance « exemple »
    assert "Source : DGFiP, comptes individuels 2014" in h
    assert ">provenance<" not in h        # provenance uniforme : masquée
    assert h.index("og-bandeau-exemple") < h.index("<table")
    texte = repr(t).splitlines()
    assert texte[0] == "*** Données d'exemple — ne pas diffuser ***"
    assert texte[-1] == "Source : DGFiP, comptes individuels 2014"


def test_tableau_sans_exemple_et_provenance_mixte():
    df = pd.DataFrame({"x": [1, 2], "provenance": ["réel", "réel"]})
    assert "og-bandeau-exemple" not in p.tableau(df)._repr_html_()
    assert "og-bandeau-exemple" in p.tableau(df, exemple=True)._repr_html_()
    mixte = pd.DataFrame({"x": [1.5, 2000.0], "provenance": ["réel", "exemple"]})
    h = p.tableau(mixte)._repr_html_()
    # issue 14: the column is shown under a French header, not the programme's name « provenance »
    assert f">{ENTETE_PROVENANCE}<" in h and ">provenance<" not in h and "og-bandeau-exemple" in h
    assert ">1,5<" in h and f">2{F}000,0<" in h


def test_tableau_erreurs():
    df = pd.DataFrame({"x": [1]})
    with pytest.raises(KeyError):
        p.tableau(df, formats={"y": "nombre"})
    with pytest.raises(ValueError):
        p.tableau(df, formats={"x": "euros"})


def test_tableau_index_et_echappement():
    df = pd.DataFrame({"valeur": [1.0]}, index=pd.Index(["<b>A&B</b>"], name="entité"))
    h = p.tableau(df, exemple=False)._repr_html_()
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in h
    assert ">entité<" in h


def test_formateur_axe():
    f = p.formateur_axe(1, " k€")
    assert f(1234.56, 0) == f"1{F}234,6{N}k€"
    assert p.formateur_axe(0, milliers=False)(2014, 0) == "2014"


def test_legende_figure_et_carte():
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from shapely.geometry import box

    p.appliquer_style()
    fig, ax = plt.subplots()
    ax.plot([2013, 2014], [1, 2])
    p.legende_figure(fig, "DGFiP", exemple=True, millesime="2013-2014")
    textes = [t.get_text() for t in fig.texts]
    assert "Source : DGFiP — données 2013-2014" in textes
    assert "Données d'exemple — ne pas diffuser" in textes
    plt.close(fig)

    gdf = gpd.GeoDataFrame({"code_insee": ["45234", "45043"], "nom": ["Orléans", "Bou"],
                            "v": [10.0, np.nan]},
                           geometry=[box(1.85, 47.85, 1.95, 47.95), box(2.0, 47.85, 2.1, 47.95)],
                           crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = p.carte(gdf, "v", "Titre", "Unité (€/hab.)")
    libelles = [t.get_text() for t in ax.get_legend().get_texts()]
    assert libelles == ["n.d. (non disponible)"]
    assert not ax.axison
    plt.close(ax.get_figure())
    ax = p.carte_situation(gdf, "45234")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Orléans"]
    plt.close(ax.get_figure())


def test_format_de_chaque_unite_du_vocabulaire():
    from orleans_gov.base.vocabulaire import UNITES

    for u in UNITES:
        p.format_unite(u)                                  # every unit has a table format (or None for text)
    assert p.format_unite("%") == "pourcent"               # a « % » term holds a percent value, not a fraction
    assert p.format_unite("k€", 1) == ("keur", 1)
    assert p.fmt_unite(12.34, "%") == f"12,3{N}%"
    assert p.fmt_unite(3.24, "années") == f"3,2{N}ans"
    assert p.fmt_unite(37435.2, "€ par ETP") == f"37{F}435{N}€"
    assert p.fmt_unite(float("nan"), "années") == "n.d."


def test_tableau_termes_entetes_et_formats_du_vocabulaire():
    from orleans_gov.base import vocabulaire as v

    df = pd.DataFrame({"epargne_brute": [1234.0], "taux_epargne_brute": [12.34], "part_contractuels": [0.2],
                       "flux_internes_keur": ["sans objet"], "autre": [1.5]})
    affiche, formats = p.termes_en_colonnes(df, fractions=["part_contractuels"])
    assert list(affiche.columns) == [v.entete("epargne_brute"), v.entete("taux_epargne_brute"),
                                     v.entete("part_contractuels"), v.entete("flux_internes_keur"), "autre"]
    assert formats == {v.entete("epargne_brute"): "keur", v.entete("taux_epargne_brute"): "pourcent",
                       v.entete("part_contractuels"): ("pct", 1)}   # text columns are shown as they are
    h = p.tableau_termes(df, exemple=False, fractions=["part_contractuels"])._repr_html_()
    assert f">1{F}234{N}k€<" in h and f">12,3{N}%<" in h and f">20,0{N}%<" in h and ">sans objet<" in h
    assert "Épargne brute (k€)" in h


def test_entetes_avec_annee_et_libelles_dans_une_phrase():
    from orleans_gov.restitution.textes import dans_phrase, entete_annee, liste

    assert entete_annee("epargne_brute", 2013) == "Épargne brute 2013 (k€)"
    assert entete_annee("encours_dette", 2020, "Δ ") == "Δ Encours de la dette au 31/12/2020 (k€)"
    assert entete_annee("encours_dette", "en fin d'horizon") == "Encours de la dette au 31/12 en fin d'horizon (k€)"
    assert dans_phrase("personnel") == "charges de personnel"
    assert dans_phrase("dgf") == "dotation globale de fonctionnement"
    assert liste(["a", "b", "c"]) == "a, b et c"


def test_lecture_capacite_seuils_parametres_dates():
    from orleans_gov.analyse.finances import classe_capacite, seuils_capacite
    from orleans_gov.base.parametres import parametres
    from orleans_gov.restitution.finances import texte_classe_capacite

    assert seuils_capacite(2016) == (parametres()("capacite_desendettement.seuil_vigilance", 2016),
                                     parametres()("capacite_desendettement.seuil_alerte", 2016)) == (8.0, 12.0)
    cap = pd.Series([5.0, 8.0, 12.0, 12.5, np.nan, np.nan])
    eb = pd.Series([1.0, 1.0, 1.0, 1.0, -3.0, np.nan])
    c = classe_capacite(cap, eb, pd.Series([2013] * 6))
    assert list(c[:5]) == ["satisfaisant", "vigilance", "vigilance", "alerte", "non calculable"]
    assert pd.isna(c[5])
    assert texte_classe_capacite("alerte", 2013) == "alerte (> 12 ans)"
    assert texte_classe_capacite("vigilance", 2013) == "vigilance (8 à 12 ans)"
    assert texte_classe_capacite(pd.NA, 2013) is None

