"""Issue 16 (speed of notebooks 03 and 04): what was made faster gives exactly the numbers of the former code.

- counterfactuals projected once per fingerprint (:func:`orleans_gov.scenarios.resultats.empreinte_projection`);
- the tornado and the Monte-Carlo bands from the projection's own state (:func:`sensibilite.prepare_de`);
- :class:`orleans_gov.restitution.scenarios.commun.Lecture` (one index of a long table instead of a filter per
  number), checked against the filters it replaces and on a hand-computed example;
- the persistent Monte-Carlo cache (:mod:`orleans_gov.restitution.cache_scenarios`): reused when nothing changed,
  recomputed when any input changes, recomputed (never wrong) when its file is damaged, byte-deterministic.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import orleans_gov
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO
from orleans_gov.restitution import cache_scenarios as cs
from orleans_gov.restitution.chargement_scenarios import contexte_scenarios
from orleans_gov.restitution.scenarios.commun import Lecture, nom
from orleans_gov.restitution.scenarios.tableaux import colonnes_effets, position_nette, tableau_effets_communes
from orleans_gov.scenarios import (BLOC, DOSSIER_SCENARIOS, charger_donnees, charger_scenario, comparer, projeter,
                                   scenarios_livres)
from orleans_gov.scenarios.dotations import VALEUR_POINT
from orleans_gov.scenarios.resultats import empreinte_projection, sous_le_nom
from orleans_gov.scenarios.sensibilite import TAILLE_LOT, monte_carlo_indicateurs, tornado

INDS = ("epargne_nette", "capacite_desendettement")
N = 200      # draws of the cache tests (the cache does not depend on the number, only its key does)


@pytest.fixture(scope="module")
def ctx(donnees_construites):
    return contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)


def _memes_resultats(a, b):
    pd.testing.assert_frame_equal(a.long, b.long, check_exact=True)
    pd.testing.assert_frame_equal(a.tableau(), b.tableau(), check_exact=True)
    pd.testing.assert_frame_equal(a.parametres, b.parametres, check_exact=True)
    assert a.avertissements == b.avertissements and a.scenario.nom == b.scenario.nom


def _memes_mc(a, b):
    assert list(a) == list(b)
    for k in a:
        pd.testing.assert_frame_equal(a[k].quantiles, b[k].quantiles, check_exact=True)
        np.testing.assert_array_equal(a[k].mesure, b[k].mesure)
        assert (a[k].n_tirages, a[k].graine) == (b[k].n_tirages, b[k].graine)


# ------------------------------------------------------------------------------------------------------------
# projections reused
# ------------------------------------------------------------------------------------------------------------

def test_contrefactuels_memoises_identiques_a_une_projection_directe(ctx):
    """Every counterfactual (and every scenario) of the context is exactly what projeter gives on its own."""
    donnees = ctx.donnees
    for nom_sc, res in ctx.resultats.items():
        sc = res.scenario
        _memes_resultats(res, projeter(sc, donnees))
        _memes_resultats(ctx.contrefactuels[nom_sc], projeter(sc.sans_actions(), donnees))
        assert ctx.contrefactuels[nom_sc].scenario.nom == sc.sans_actions().nom
    # the shipped counterfactuals all share the assumptions of the fil de l'eau: one fingerprint
    assert len({empreinte_projection(r.scenario) for r in ctx.contrefactuels.values()}) == 1


def test_empreinte_projection_suit_ce_qui_nourrit_la_projection():
    sc = charger_scenario(DOSSIER_SCENARIOS / "transfert-voirie.yaml")
    cf = sc.sans_actions()
    assert empreinte_projection(sc) != empreinte_projection(cf)            # actions
    fil = charger_scenario(DOSSIER_SCENARIOS / "fil-de-l-eau.yaml")
    assert empreinte_projection(fil) == empreinte_projection(cf)           # name and description only differ
    assert empreinte_projection(charger_scenario(DOSSIER_SCENARIOS / "fil-de-l-eau.yaml", horizon=[2014, 2019])) \
        != empreinte_projection(fil)
    autre = fil.model_copy(update={"parametres": {VALEUR_POINT: 40.0}})
    assert empreinte_projection(autre) != empreinte_projection(fil)
    with pytest.raises(ValueError):
        sous_le_nom(projeter(fil, charger_donnees()), sc)


def test_tornado_et_monte_carlo_depuis_la_projection_identiques(ctx):
    """The state of the projection gives the numbers of a fresh preparation (tornado, Monte-Carlo)."""
    ref = ctx.reference
    for mesure in ("epargne_nette_cumulee", "capacite_desendettement_fin"):
        pd.testing.assert_frame_equal(ctx.tornado(mesure), tornado(ref.scenario, ctx.donnees, mesure=mesure),
                                      check_exact=True)
    r = ctx.resultats["Transfert de la voirie"]
    _memes_mc(cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, cache=False),
              monte_carlo_indicateurs(r.scenario, ctx.donnees, INDS, n_tirages=N))


# ------------------------------------------------------------------------------------------------------------
# Lecture: same numbers as the filters it replaces
# ------------------------------------------------------------------------------------------------------------

def _long_main():
    """Hand-built differences: entity B has no 'etp'; one NaN; rows in an order that is not sorted by year."""
    lignes = [("A", "encours_dette", 2015, -10.0), ("A", "variation_fonds_roulement", 2014, 1.5),
              ("A", "variation_fonds_roulement", 2015, np.nan), ("A", "etp", 2015, 2.0),
              ("B", "encours_dette", 2015, 4.0), ("B", "variation_fonds_roulement", 2015, 0.25),
              ("B", "variation_fonds_roulement", 2014, -3.0), ("C", "encours_dette", 2015, 1.0)]
    return pd.DataFrame(lignes, columns=["entite", "indicateur", "annee", "ecart"])


def test_lecture_exemple_calcule_a_la_main():
    lec = Lecture(_long_main(), "ecart")
    sc = dataclasses.make_dataclass("S", ["debut", "fin"])(2014, 2015)
    # A: − (−10) + (1.5 + NaN→0) = 11.5 ; B: − 4 + (0.25 − 3) = −6.75 ; A + B: − (−10 + 4) + (1.5 + 0.25 − 3) = 4.75
    assert position_nette(lec, "A", sc) == 11.5
    assert position_nette(lec, "B", sc) == -6.75
    assert position_nette(lec, ["A", "B"], sc) == 4.75
    assert position_nette(_long_main(), ["B", "A"], sc) == 4.75                  # from the frame too
    assert lec.un("A", "etp", 2015) == 2.0 and np.isnan(lec.un("B", "etp", 2015))
    assert np.isnan(lec.un("Z", "etp", 2015)) and lec.somme("Z", "etp", [2015]) == 0.0
    assert lec.somme("C", "inconnu", [2015]) == 0.0
    with pytest.raises(ValueError):
        Lecture(pd.concat([_long_main(), _long_main().iloc[:1]]), "ecart")


def test_lecture_identique_aux_filtres_sur_les_scenarios_livres(ctx):
    """On every shipped scenario: each read equals the boolean filter it replaces, bit for bit."""
    for r in ctx.avec_actions:
        ec = comparer(r, ctx.contrefactuels[r.scenario.nom])
        lec = Lecture(ec, "ecart")
        sc = r.scenario
        for e in list(ENTITES[::5]) + [SIREN_AGGLO, BLOC]:
            for ind in ("epargne_nette", "encours_dette", "variation_fonds_roulement", "etp", "cif"):
                s = ec[(ec.entite == e) & (ec.indicateur == ind) & (ec.annee == sc.fin)]["ecart"]
                attendu = float(s.iloc[0]) if len(s) else np.nan
                assert lec.un(e, ind, sc.fin) == attendu or (np.isnan(attendu) and np.isnan(lec.un(e, ind, sc.fin)))
                horizon = list(range(sc.debut, sc.fin + 1))
                attendu = float(ec[(ec.entite == e) & (ec.indicateur == ind) & ec.annee.isin(horizon)]["ecart"].sum())
                assert lec.somme(e, ind, horizon) == attendu
        d = ec[ec.entite.isin(CODES_INSEE)]
        attendu = -float(d[(d.indicateur == "encours_dette") & (d.annee == sc.fin)]["ecart"].sum()) + float(
            d[(d.indicateur == "variation_fonds_roulement") & d.annee.between(sc.debut, sc.fin)]["ecart"].sum())
        assert position_nette(lec, list(CODES_INSEE), sc) == attendu


def _effets_ancien(res, ref):
    """The former tableau_effets_communes (one filter per number), kept here as the reference."""
    sc = res.scenario
    ec = comparer(res, ref)
    horizon = list(range(sc.debut, sc.fin + 1))
    premiere = min((a.annee for a in sc.actions), default=sc.debut)
    h = {k: v[0] for k, v in colonnes_effets(sc).items()}
    lignes = []
    for e in list(ENTITES) + [BLOC]:
        d = ec[ec.entite == e]

        def v(ind, an):
            s = d[(d.indicateur == ind) & (d.annee == an)]["ecart"]
            return float(s.iloc[0]) if len(s) else np.nan
        dd = d[d.entite.isin([e])]
        pos = -float(dd[(dd.indicateur == "encours_dette") & (dd.annee == sc.fin)]["ecart"].sum()) + float(
            dd[(dd.indicateur == "variation_fonds_roulement") & dd.annee.between(sc.debut, sc.fin)]["ecart"].sum())
        lignes.append({
            "Entité": nom(e),
            h["ac"]: float(res.long[(res.long.entite == e) & (res.long.indicateur == "attribution_compensation")
                                    & (res.long.annee == sc.fin)]["valeur"].sum()) if e != BLOC else np.nan,
            h["d_ac"]: v("attribution_compensation", sc.fin) if e != BLOC else np.nan,
            h["d_eb_premiere"]: v("epargne_brute", premiere), h["d_eb_fin"]: v("epargne_brute", sc.fin),
            h["d_en_cumul"]: float(d[(d.indicateur == "epargne_nette") & d.annee.isin(horizon)]["ecart"].sum()),
            h["d_encours"]: v("encours_dette", sc.fin), h["d_position"]: pos, h["d_etp"]: v("etp", sc.fin),
        })
    return pd.DataFrame(lignes)


def test_tableau_effets_identique_a_l_ancien(ctx):
    for r in ctx.avec_actions:
        nouveau = tableau_effets_communes(r, ctx.contrefactuels[r.scenario.nom])
        ancien = _effets_ancien(r, ctx.contrefactuels[r.scenario.nom])
        ancien.columns = nouveau.columns          # first header from the vocabulary
        pd.testing.assert_frame_equal(nouveau, ancien, check_exact=True)


def test_comparer_memoise_rend_une_copie(ctx):
    r = ctx.resultats["Transfert de la voirie"]
    ref = ctx.contrefactuels[r.scenario.nom]
    a = comparer(r, ref)
    a.loc[0, "ecart"] = 1e12                       # changing a copy does not change the next call
    b = comparer(r, ref)
    assert b.loc[0, "ecart"] != 1e12
    c = r.long.set_index(["entite", "annee", "indicateur"])["valeur"] - \
        ref.long.set_index(["entite", "annee", "indicateur"])["valeur"]
    np.testing.assert_array_equal(b["ecart"].to_numpy(), c.to_numpy())


# ------------------------------------------------------------------------------------------------------------
# persistent Monte-Carlo cache
# ------------------------------------------------------------------------------------------------------------

def _interdire_calcul(monkeypatch):
    def refus(*a, **k):
        raise AssertionError("recalculé alors que le cache devait servir")
    monkeypatch.setattr(cs, "quantiles_tirages", refus)


def test_cache_reutilise_identique_et_deterministe(ctx, tmp_path, monkeypatch):
    r = ctx.resultats["Transfert de la voirie"]
    sans = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, cache=False)
    premier = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    fichiers = sorted((tmp_path / "processed" / cs.DOSSIER_CACHE).iterdir())
    assert len(fichiers) == 1
    octets = fichiers[0].read_bytes()
    with monkeypatch.context() as m:
        _interdire_calcul(m)
        second = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    _memes_mc(sans, premier)
    _memes_mc(sans, second)
    fichiers[0].unlink()                                            # written again: the same bytes
    cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    assert fichiers[0].read_bytes() == octets


def test_cache_du_contexte_identique_sans_cache(ctx, tmp_path):
    c = dataclasses.replace(ctx, dossier=tmp_path)
    avec, sans = c.monte_carlo(INDS, n_tirages=N), c.monte_carlo(INDS, n_tirages=N, cache=False)
    relu = c.monte_carlo(INDS, n_tirages=N)
    for nom_sc in ctx.resultats:
        _memes_mc(avec[nom_sc], sans[nom_sc])
        _memes_mc(relu[nom_sc], sans[nom_sc])
    assert len(list((tmp_path / "processed" / cs.DOSSIER_CACHE).iterdir())) == len(ctx.resultats)


def test_chaque_entree_change_la_cle(ctx, monkeypatch):
    r = ctx.resultats["Transfert de la voirie"]
    sc, d = r.scenario, ctx.donnees

    def cle(sc=sc, donnees=d, inds=INDS, n=N, graine=2014, mesure="epargne_nette_cumulee", lot=TAILLE_LOT):
        return cs.empreinte_monte_carlo(sc, donnees, inds, n, graine, mesure, lot)
    base = cle()
    assert cle() == base                                             # stable
    autres = [cle(n=N + 1), cle(graine=7), cle(inds=("epargne_nette",)), cle(mesure="encours_fin"), cle(lot=100),
              cle(sc=charger_scenario(DOSSIER_SCENARIOS / "transfert-voirie.yaml", horizon=[2014, 2019])),
              cle(sc=sc.model_copy(update={"parametres": {VALEUR_POINT: 40.0}})),
              cle(sc=ctx.resultats["Fil de l'eau"].scenario)]
    fc = d.finances_communes.copy()
    fc.loc[fc.index[0], "equip"] = fc.loc[fc.index[0], "equip"] + 1.0
    autres.append(cle(donnees=dataclasses.replace(d, finances_communes=fc, _cache={})))
    if d.effectifs is not None:
        autres.append(cle(donnees=dataclasses.replace(d, effectifs=None, _cache={})))
    with monkeypatch.context() as m:
        m.setitem(cs._CODE, "code", "0" * 64)
        autres.append(cle())
    with monkeypatch.context() as m:
        m.setattr(orleans_gov, "__version__", "0.0.0-test")
        autres.append(cle())
    assert base not in autres and len(set(autres)) == len(autres)


def test_cache_recalcule_quand_les_donnees_changent(ctx, tmp_path):
    """A changed table gives another file, and its numbers are those of the changed data."""
    r = ctx.resultats["Transfert de la voirie"]
    cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    fc = ctx.donnees.finances_communes.copy()
    fc["equip"] = fc["equip"] * 1.5
    d2 = dataclasses.replace(ctx.donnees, finances_communes=fc, _cache={})
    r2 = projeter(r.scenario, d2)
    nouveau = cs.monte_carlo_en_cache(r2, d2, INDS, n_tirages=N, dossier_donnees=tmp_path)
    _memes_mc(nouveau, monte_carlo_indicateurs(r.scenario, d2, INDS, n_tirages=N))
    assert len(list((tmp_path / "processed" / cs.DOSSIER_CACHE).iterdir())) == 2


@pytest.mark.parametrize("abimer", ["tronque", "octet", "vide", "entete", "autre_cle"])
def test_cache_endommage_recalcule(ctx, tmp_path, abimer):
    r = ctx.resultats["Transfert de la voirie"]
    sans = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, cache=False)
    cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    (f,) = (tmp_path / "processed" / cs.DOSSIER_CACHE).iterdir()
    bon = f.read_bytes()
    entete, _, charge = bon.partition(b"\n")
    abime = {"tronque": bon[:-9], "octet": entete + b"\n" + bytes([charge[0] ^ 1]) + charge[1:], "vide": b"",
             "entete": b"{pas du json\n" + charge,
             "autre_cle": entete.replace(f.stem.split("-")[-1][:8].encode(), b"00000000") + b"\n" + charge}[abimer]
    assert abime != bon
    f.write_bytes(abime)
    cle = cs.empreinte_monte_carlo(r.scenario, ctx.donnees, INDS, N, 2014, "epargne_nette_cumulee", TAILLE_LOT)
    assert f.name == f"monte-carlo-{cle[:40]}.bin" and cs.decoder(bon, cle) is not None
    assert cs.decoder(abime, cle) is None
    relu = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    _memes_mc(relu, sans)
    assert f.read_bytes() == bon                                     # rewritten


def test_cache_dossier_non_inscriptible(ctx, tmp_path):
    r = ctx.resultats["Transfert de la voirie"]
    (tmp_path / "processed").write_text("un fichier, pas un dossier")
    _memes_mc(cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path),
              cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, cache=False))


def test_scenarios_livres_ont_des_cles_distinctes(ctx):
    cles = {cs.empreinte_monte_carlo(r.scenario, ctx.donnees, INDS, 10_000, 2014, "epargne_nette_cumulee", TAILLE_LOT)
            for r in ctx.resultats.values()}
    assert len(cles) == len(ctx.resultats) == len(scenarios_livres())


def test_lecture_identique_a_cumul_et_valeur(ctx):
    """phrases_scenario reads through Lecture what commun.cumul / commun.valeur read through filters."""
    from orleans_gov.restitution.scenarios.commun import cumul, valeur
    for r in list(ctx.resultats.values())[:3]:
        lec, sc = Lecture(r.long, "valeur"), r.scenario
        for e in (BLOC, SIREN_AGGLO, CODES_INSEE[0]):
            for ind in ("epargne_nette", "dotation_intercommunalite", "cif", "etp", "encours_dette"):
                assert lec.somme(e, ind, range(sc.debut, sc.fin + 1)) == cumul(r, e, ind)
                a, b = lec.un(e, ind, sc.fin), valeur(r, e, ind)
                assert a == b or (np.isnan(a) and np.isnan(b))


def test_taille_des_lots_sans_effet_sur_les_nombres(ctx):
    r = ctx.resultats["Pacte financier et fiscal 2015–2020"]
    a = monte_carlo_indicateurs(r.scenario, ctx.donnees, INDS, n_tirages=1200, taille_lot=TAILLE_LOT)
    for lot in (2500, 128):
        _memes_mc(a, monte_carlo_indicateurs(r.scenario, ctx.donnees, INDS, n_tirages=1200, taille_lot=lot))


def test_lecture_serie_identique_au_filtre(ctx):
    from orleans_gov.restitution.scenarios.commun import lecture
    r = ctx.resultats["Communauté urbaine au 1er janvier 2017"]
    L = r.long
    for ind in ("epargne_brute", "cif", "sieges", "fpic", "inconnu"):
        for an in (2013, 2017, 2020, 1999):
            attendu = L[(L["indicateur"] == ind) & (L["annee"] == an)].set_index("entite")["valeur"]
            obtenu = lecture(L, "valeur").serie(ind, an)
            assert list(obtenu.index) == list(attendu.index)
            np.testing.assert_array_equal(obtenu.to_numpy(), attendu.to_numpy())
    assert lecture(L, "valeur") is lecture(L, "valeur")


def test_cli_scenario_remplit_le_cache_du_carnet(donnees_construites, tmp_path, monkeypatch, ctx):
    """``orleans-gov scenario`` writes the bands notebook 03 draws with its defaults: the notebook then reads them."""
    import json
    from pathlib import Path
    from orleans_gov.cli import main
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "03_scenarios_financiers.ipynb").read_text())
    source = "".join("".join(c["source"]) for c in nb["cells"])
    assert f"ctx.monte_carlo({cs.BANDES_CARNET!r}".replace("'", '"') in source
    assert f"n_tirages = {cs.N_TIRAGES_CARNET}" in source
    calculs = []
    vrai = cs.quantiles_tirages
    monkeypatch.setattr(cs, "quantiles_tirages", lambda *a, **k: calculs.append(1) or vrai(*a, **k))
    monkeypatch.setattr(cs, "chemin_cache", lambda dossier, cle: tmp_path / f"{cle[:40]}.bin")
    assert main(["scenario", str(DOSSIER_SCENARIOS / "transfert-voirie.yaml"), "--sortie", str(tmp_path / "s"),
                 "--dossier-donnees", str(donnees_construites)]) == 0
    assert calculs == [1] and len(list(tmp_path.glob("*.bin"))) == 1
    r = ctx.resultats["Transfert de la voirie"]          # loaded as the notebook does (année, horizon given)
    cs.monte_carlo_en_cache(r, ctx.donnees, cs.BANDES_CARNET, n_tirages=cs.N_TIRAGES_CARNET)
    assert calculs == [1]                                # read, not computed again


def test_variable_d_environnement_coupe_le_cache(ctx, tmp_path, monkeypatch):
    r = ctx.resultats["Transfert de la voirie"]
    monkeypatch.setenv(cs.VARIABLE_SANS_CACHE, "0")
    a = cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path)
    assert not (tmp_path / "processed").exists()
    monkeypatch.delenv(cs.VARIABLE_SANS_CACHE)
    _memes_mc(a, cs.monte_carlo_en_cache(r, ctx.donnees, INDS, n_tirages=N, dossier_donnees=tmp_path))
    assert len(list((tmp_path / "processed" / cs.DOSSIER_CACHE).iterdir())) == 1


def test_elaguer_garde_les_plus_recents(tmp_path):
    import os
    for k in range(5):
        f = tmp_path / f"monte-carlo-{k}.bin"
        f.write_bytes(b"x")
        os.utime(f, (1000 + k, 1000 + k))
    (tmp_path / "autre.txt").write_text("garde")
    cs.elaguer(tmp_path, garder=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autre.txt", "monte-carlo-3.bin", "monte-carlo-4.bin"]


# ------------------------------------------------------------------------------------------------------------
# Persistent cache of the projections (contexte_scenarios)
# ------------------------------------------------------------------------------------------------------------

def _memes_contextes(a, b):
    assert list(a.resultats) == list(b.resultats) and list(a.contrefactuels) == list(b.contrefactuels)
    for nom_sc in a.resultats:
        _memes_resultats(a.resultats[nom_sc], b.resultats[nom_sc])
        _memes_resultats(a.contrefactuels[nom_sc], b.contrefactuels[nom_sc])
        for champ in ("population", "fiscalite", "dette", "equipement_passe", "rrf_passe"):
            np.testing.assert_array_equal(getattr(a.resultats[nom_sc].base, champ),
                                          getattr(b.resultats[nom_sc].base, champ))
        assert a.resultats[nom_sc].scenario == b.resultats[nom_sc].scenario
    assert a.ecartes == b.ecartes and a.reference.scenario.nom == b.reference.scenario.nom
    assert [r.scenario.nom for r in a.avec_actions] == [r.scenario.nom for r in b.avec_actions]
    assert a.exemple == b.exemple


@pytest.fixture
def cache_projections(tmp_path, monkeypatch):
    """Projection files written under tmp_path (not in the repository's data folder)."""
    monkeypatch.setattr(cs, "chemin_projections", lambda dossier, cle: tmp_path / f"projections-{cle[:40]}.pkl")
    return tmp_path


def _interdire_projection(monkeypatch):
    import orleans_gov.restitution.chargement_scenarios as chs

    def refus(*a, **k):
        raise AssertionError("projeté alors que le cache devait servir")
    monkeypatch.setattr(chs, "projeter", refus)


def test_projections_relues_identiques_a_un_calcul(ctx, donnees_construites, cache_projections, monkeypatch):
    """Written by the first call, read by the second (nothing projected): the same numbers, reference states,
    scenarios and choices as without the cache; tornado and bands from the read reference are the fresh ones."""
    sans = contexte_scenarios(None, 2013, [2014, 2020], donnees_construites, cache=False)
    premier = contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)
    (f,) = cache_projections.glob("projections-*.pkl")
    with monkeypatch.context() as m:
        _interdire_projection(m)
        relu = contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)
    _memes_contextes(sans, premier)
    _memes_contextes(sans, relu)
    pd.testing.assert_frame_equal(relu.tornado("epargne_nette_cumulee"), sans.tornado("epargne_nette_cumulee"),
                                  check_exact=True)
    r_relu, r_sans = relu.resultats["Transfert de la voirie"], sans.resultats["Transfert de la voirie"]
    _memes_mc(cs.monte_carlo_en_cache(r_relu, relu.donnees, INDS, n_tirages=N, cache=False),
              cs.monte_carlo_en_cache(r_sans, sans.donnees, INDS, n_tirages=N, cache=False))
    pd.testing.assert_frame_equal(comparer(r_relu, relu.contrefactuels[r_relu.scenario.nom]),
                                  comparer(r_sans, sans.contrefactuels[r_sans.scenario.nom]), check_exact=True)


def test_projections_autres_scenarios_autre_fichier(ctx, donnees_construites, cache_projections):
    livres = [str(p) for p in scenarios_livres()]
    contexte_scenarios(livres[:2], 2013, [2014, 2020], donnees_construites)
    contexte_scenarios(livres[:2][::-1], 2013, [2014, 2020], donnees_construites)      # order: another key
    contexte_scenarios(livres[:2], 2013, [2014, 2019], donnees_construites)            # horizon: another key
    assert len(list(cache_projections.glob("projections-*.pkl"))) == 3


def test_cle_des_projections_suit_chaque_entree(ctx, monkeypatch, tmp_path):
    d = ctx.donnees
    scs = [r.scenario for r in ctx.resultats.values()]
    base = cs.empreinte_projections(scs, d)
    assert cs.empreinte_projections(scs, d) == base
    autres = [cs.empreinte_projections(scs[:-1], d), cs.empreinte_projections(scs[::-1], d),
              cs.empreinte_projections([scs[0].model_copy(update={"parametres": {VALEUR_POINT: 40.0}})] + scs[1:], d)]
    fc = d.finances_communes.copy()
    fc.loc[fc.index[0], "equip"] = fc.loc[fc.index[0], "equip"] + 1.0
    autres.append(cs.empreinte_projections(scs, dataclasses.replace(d, finances_communes=fc, _cache={})))
    with monkeypatch.context() as m:
        m.setitem(cs._CODE, "code", "0" * 64)
        autres.append(cs.empreinte_projections(scs, d))
    with monkeypatch.context() as m:
        m.setattr(cs, "empreinte_fichiers", lambda donnees: "0" * 64)
        autres.append(cs.empreinte_projections(scs, d))
    assert base not in autres and len(set(autres)) == len(autres)


def test_empreinte_fichiers_suit_les_fichiers_lus_par_le_moteur(ctx, tmp_path):
    """Competences and populations are read by the engine outside DonneesReference (change of category, seats):
    their bytes are in the keys of both caches (a change of the competence table was not, before)."""
    dossier = tmp_path / "donnees"
    (dossier / "processed").mkdir(parents=True)
    d = dataclasses.replace(ctx.donnees, sources={"finances_communes": str(dossier / "processed" / "x.parquet")},
                            _cache={})
    vide = cs.empreinte_fichiers(d)
    vues = {vide}
    for nom_fichier in ("processed/competences.parquet", "processed/populations.parquet",
                        "raw/reel/competences/competences_par_categorie.csv",
                        "raw/reel/competences/competences_agglo-orleans.csv"):
        f = dossier / nom_fichier
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"a")
        vues.add(cs.empreinte_fichiers(d))
        f.write_bytes(b"b")
        vues.add(cs.empreinte_fichiers(d))
    assert len(vues) == 9
    mc = lambda donnees: cs.empreinte_monte_carlo(ctx.reference.scenario, donnees, INDS, N, 2014,  # noqa: E731
                                                  "epargne_nette_cumulee", TAILLE_LOT)
    avant = mc(d)
    (dossier / "processed" / "populations.parquet").write_bytes(b"c")
    assert mc(d) != avant


@pytest.mark.parametrize("abimer", ["tronque", "octet", "vide", "entete", "pickle"])
def test_projections_endommagees_recalculees(ctx, donnees_construites, cache_projections, abimer):
    livres = [str(p) for p in scenarios_livres()][:2]
    sans = contexte_scenarios(livres, 2013, [2014, 2020], donnees_construites, cache=False)
    contexte_scenarios(livres, 2013, [2014, 2020], donnees_construites)
    (f,) = cache_projections.glob("projections-*.pkl")
    bon = f.read_bytes()
    entete, _, charge = bon.partition(b"\n")
    import hashlib
    import json
    faux = b"\x80\x05ceci n'est pas un pickle"
    e = json.loads(entete)
    e["sha256"] = hashlib.sha256(faux).hexdigest()
    abime = {"tronque": bon[:-9], "octet": entete + b"\n" + charge[:100] + bytes([charge[100] ^ 1]) + charge[101:],
             "vide": b"", "entete": b"{pas du json\n" + charge,
             "pickle": json.dumps(e, sort_keys=True, separators=(",", ":")).encode() + b"\n" + faux}[abimer]
    f.write_bytes(abime)
    cle = f.stem.split("-", 1)[1]
    assert all(cs.decoder_projections(abime, k) is None for k in (cle, cs.empreinte_projections(
        [r.scenario for r in sans.resultats.values()], sans.donnees)))
    _memes_contextes(contexte_scenarios(livres, 2013, [2014, 2020], donnees_construites), sans)
    assert cs.decoder_projections(f.read_bytes(), cs.empreinte_projections(
        [r.scenario for r in sans.resultats.values()], sans.donnees)) is not None       # rewritten


def test_projections_sans_cache_par_l_environnement(ctx, donnees_construites, cache_projections, monkeypatch):
    monkeypatch.setenv(cs.VARIABLE_SANS_CACHE, "0")
    contexte_scenarios([str(scenarios_livres()[0])], 2013, [2014, 2020], donnees_construites)
    assert not list(cache_projections.iterdir())


def test_ecartes_dans_l_ordre_des_fichiers_et_relus(ctx, donnees_construites, cache_projections, tmp_path,
                                                    monkeypatch):
    """A file that cannot be read and a scenario the data cannot support (the engine refuses it) are set aside with
    their reason, in the order of the files, the same when the projections are read back from the cache."""
    import orleans_gov.restitution.chargement_scenarios as chs
    livres = [str(p) for p in scenarios_livres()]
    illisible = tmp_path / "illisible.yaml"
    illisible.write_text("nom: [pas fermé\n", encoding="utf-8")
    vrai = chs.projeter

    def projeter_sauf_voirie(sc, donnees):
        if sc.nom == "Transfert de la voirie":
            raise ErreurDonnees("donnée manquante pour la voirie (test)", fichier="voirie.parquet")
        return vrai(sc, donnees)
    monkeypatch.setattr(chs, "projeter", projeter_sauf_voirie)
    voirie = str(DOSSIER_SCENARIOS / "transfert-voirie.yaml")
    assert voirie not in livres[:2]
    fichiers = [livres[0], voirie, str(illisible), livres[1]]
    c1 = contexte_scenarios(fichiers, 2013, [2014, 2020], donnees_construites)
    assert [e.split("**")[1] for e in c1.ecartes] == ["transfert-voirie.yaml", "illisible.yaml"]
    assert "donnée manquante pour la voirie (test)" in c1.ecartes[0] and "YAML illisible" in c1.ecartes[1]
    assert len(c1.resultats) == 2 and "Transfert de la voirie" not in c1.resultats
    assert len(list(cache_projections.glob("projections-*.pkl"))) == 1
    _interdire_projection(monkeypatch)
    c2 = contexte_scenarios(fichiers, 2013, [2014, 2020], donnees_construites)
    _memes_contextes(c1, c2)
