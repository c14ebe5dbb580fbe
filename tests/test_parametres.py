"""Dated legal parameters (base/parametres): lookup at a date, references, overrides, malformed files refused."""
from __future__ import annotations

import datetime as dt

import pytest

from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.parametres import lire_parametres, parametres


def test_valeur_en_vigueur_a_une_date():
    """FCTVA rate by date of spending (art. L.1615-6 CGCT): 15,482 % before 2014, 15,761 % in 2014, 16,404 % from
    2015 (docs/juridique/dgf-crfp-fctva-cif.md §4)."""
    P = parametres()
    assert P("fctva.taux", 2013) == pytest.approx(0.15482)
    assert P("fctva.taux", "2014-12-31") == pytest.approx(0.15761)
    assert P("fctva.taux", dt.date(2015, 1, 1)) == pytest.approx(0.16404)


def test_chaque_parametre_a_une_reference_et_une_unite():
    P = parametres()
    assert len(P.table) > 50
    for nom, p in P.table.items():
        for v in getattr(p, "valeurs", getattr(p, "versions", ())):
            assert v.reference.strip(), nom


def test_regle_abrogee_refusee_apres_sa_date():
    """The CRFP tranches stop in 2018 (null from 2018-01-01): asking for 2019 is an error, not a zero."""
    P = parametres()
    assert P("crfp.tranche_epci", 2015) == 621_000_000
    with pytest.raises(KeyError, match="sans valeur en vigueur"):
        P("crfp.tranche_epci", 2019)


def test_surcharge_explicite():
    P = parametres().avec({"fctva.taux": 0.2})
    assert P("fctva.taux", 2016) == 0.2
    assert P.parametre("fctva.taux").surcharge
    assert P.surcharges == {"fctva.taux": 0.2}
    assert parametres()("fctva.taux", 2016) == pytest.approx(0.16404)  # the shared set is unchanged


@pytest.mark.parametrize("contenu, message", [
    ("a:\n  b:\n    unite: €\n    valeurs: {2014-01-01: 1}\n", "sans référence légale"),
    ("a:\n  b:\n    reference: x\n    valeurs: {2014-01-01: douze}\n", "valeur numérique attendue"),
    ("a:\n  b:\n    reference: x\n    valeurs: {2014-13-01: 1}\n", "month must be in 1..12"),
    ("a:\n  b:\n    reference: x\n    valeur: 3\n", "dictionnaire attendu"),
])
def test_fichier_mal_forme_refuse(tmp_path, contenu, message):
    (tmp_path / "p.yaml").write_text(contenu, encoding="utf-8")
    with pytest.raises(ErreurDonnees, match=message):
        lire_parametres(tmp_path)


def test_nom_defini_deux_fois_refuse(tmp_path):
    for f in ("a.yaml", "b.yaml"):
        (tmp_path / f).write_text("x:\n  reference: r\n  valeurs: {2014-01-01: 1}\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="défini deux fois"):
        lire_parametres(tmp_path)


def test_cle_ecrite_deux_fois_dans_un_fichier_refusee(tmp_path):
    """A rate written twice under the same date: PyYAML would keep the second in silence (strict loader,
    base/yaml_strict.py); the error names the file and both lines."""
    (tmp_path / "p.yaml").write_text("x:\n  reference: r\n  valeurs:\n    2014-01-01: 0.1\n    2014-01-01: 0.2\n",
                                     encoding="utf-8")
    with pytest.raises(ErreurDonnees, match=r"p\.yaml.*écrite deux fois.*lignes 4 et 5|écrite deux fois.*lignes 4 et 5.*p\.yaml"):
        lire_parametres(tmp_path)


@pytest.mark.parametrize("valeur", [".nan", ".inf", "-.inf"])
def test_valeur_non_finie_refusee(tmp_path, valeur):
    (tmp_path / "p.yaml").write_text(f"x:\n  reference: r\n  valeurs: {{2014-01-01: {valeur}}}\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="refusé : saisir une valeur finie"):
        lire_parametres(tmp_path)


def test_terme_du_vocabulaire_declare_deux_fois_dans_un_fichier(tmp_path):
    (tmp_path / "v.yaml").write_text("t:\n  libelle: A\n  unite: €\nt:\n  libelle: B\n  unite: €\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"v\.yaml : clé « t » écrite deux fois dans le même bloc \(lignes 1 et 4\)"):
        vocabulaire._lire(tmp_path)
