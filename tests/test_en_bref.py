"""« En bref » (issue 14): five messages per document, each number of a generated sentence printed in the table
it summarises, counts checked against that table, links pointing at the document's headings."""
import html
import json
import re
from pathlib import Path

import pytest

from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite
from orleans_gov.construction import charger
from orleans_gov.restitution import en_bref as eb
from orleans_gov.restitution import fiche, finances, organisations, politiques
from orleans_gov.restitution.bandeau import texte_donnees_reelles
from orleans_gov.restitution.chargement import (contexte_diagnostic, contexte_fiche, contexte_organisations,
                                                donnees_reelles)
from orleans_gov.restitution.fiche_sections import donnees_de_base, indicateurs_financiers
from orleans_gov.restitution.scenarios.en_bref import SECTION_COMPARAISON_03
from orleans_gov.restitution.tableaux import tableau, tableau_termes
from orleans_gov.restitution.textes import de

RACINE = Path(__file__).resolve().parents[1]
NOMBRE = re.compile(r"(?<![\d\u202f,])(?:\d{4}|\d{1,3}(?:\u202f\d{3})*)(?:,\d+)?(?!\d)")


def _texte_table(m: eb.Message) -> str:
    t = m.tableau
    try:
        h = tableau_termes(t, titre="t", source="s").html
    except KeyError:  # already written in French (comparison of the scenarios)
        h = tableau(t, titre="t", source="s").html
    return html.unescape(re.sub(r"<[^>]+>", " ", h))


def _nombres(texte: str, permis: set[str]) -> list[str]:
    texte = texte.replace("pour 1 000 habitants", "").replace("22 communes", "").replace("31/12/", "")
    return [n for n in NOMBRE.findall(texte) if n not in permis]


def _verifier(messages: list[eb.Message], permis: set[str]) -> None:
    assert 1 <= len(messages) <= 5
    for m in messages:
        table = set(NOMBRE.findall(_texte_table(m)))
        comptes = {str(v) for v in m.comptes.values()}
        for n in _nombres(m.texte, permis | comptes):
            assert n in table, f"« {n} » de « {m.texte} » absent du tableau qu'il résume"


@pytest.fixture(scope="module")
def diag():
    return contexte_diagnostic(2013, 2008, None)


def test_diagnostic_cinq_messages_chiffres_du_tableau(diag):
    ind = finances.tableau_indicateurs(diag.indicateurs, diag.comparaison, diag.annee)
    ms = eb.messages_diagnostic(ind, finances.tableau_bloc(diag.bloc, diag.annee),
                                politiques.tableau_integration(diag.depenses, diag.annee, diag.exemple_dep),
                                politiques.tableau_centralite(diag.centralite, diag.exemple_dep), diag.annee)
    assert len(ms) == 5
    _verifier(ms, {"2013"})
    cap = next(m for m in ms if "alerte" in m.comptes)
    communes = ind.drop(index=["AgglO Orléans Val de Loire"], errors="ignore")
    # counts read on the table's own classification column, not on the threshold used by the code
    assert cap.comptes["alerte"] == communes["lecture_capacite"].astype(str).str.startswith("alerte").sum()
    assert cap.comptes["vigilance"] == communes["lecture_capacite"].astype(str).str.startswith("vigilance").sum()


def test_organisations_messages(diag):
    ctx = contexte_organisations(2013, None)
    dup = organisations.tableau_duplications(organisations.duplications(ctx))
    ms = eb.messages_organisations(organisations.tableau_personnel(ctx), dup,
                                   organisations.tableau_police(ctx.police)[0], ctx.annee)
    assert len(ms) == 5
    _verifier(ms, {str(ctx.annee), "2023"})
    m = next(m for m in ms if "partout" in m.comptes)
    assert m.comptes["partout"] == ((dup["communes_avec_fonction"] == 22)
                                    & (dup["agglomeration_avec_fonction"] == "oui")).sum()


@pytest.mark.parametrize("entite", ["45234", "45034", SIREN_AGGLO])
def test_fiche_messages(entite):
    ctx = contexte_fiche(entite, 2013, 2008, None)
    donnees_de_base(ctx)
    indicateurs_financiers(ctx)
    ind, cmp_ = ctx.tables["_indicateurs"], ctx.tables["_comparaison"]
    ms = eb.messages_fiche(ctx.nom, fiche.tableau_finances(ctx.entite, ind, cmp_, ctx.annee),
                           fiche.tableau_ratios(ctx.entite, ind, ctx.annee), ctx.annee, ctx.agglo)
    assert len(ms) == 5
    _verifier(ms, {"2013"})
    assert not any(".." in m.texte for m in ms)


def test_ancre_comme_nbconvert():
    assert eb.ancre("3. Le bloc communal consolidé") == "#3.-Le-bloc-communal-consolid%C3%A9"
    assert eb.ancre("Charges de centralité") == "#Charges-de-centralit%C3%A9"


@pytest.mark.parametrize("carnet, sections", [
    ("01_diagnostic_politiques_publiques", [eb.SECTION_SITUATION_01, eb.SECTION_BLOC_01, eb.SECTION_POLITIQUES_01,
                                            eb.SECTION_CENTRALITE_01]),
    ("02_comparaison_organisations", [eb.SECTION_EFFECTIFS_02, eb.SECTION_SUPPORT_02, eb.SECTION_POLICE_02]),
    ("03_scenarios_financiers", [SECTION_COMPARAISON_03]),
    ("10_fiche_commune", [eb.SECTION_FINANCES_FICHE, eb.SECTION_IDENTITE_FICHE]),
])
def test_sections_liees_existent(carnet, sections):
    """Every section an « En bref » link points to is a heading of the notebook (a renamed heading fails here)."""
    nb = json.loads((RACINE / "notebooks" / f"{carnet}.ipynb").read_text(encoding="utf-8"))
    titres = {ligne.lstrip("#").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
              for ligne in "".join(c["source"]).splitlines() if ligne.startswith("#")}
    for s in sections:
        assert s in titres, s



def test_ce_qui_est_reel_calcule_des_tables():
    """The banner lists the real rows of the processed tables, entity by entity, with their years."""
    fc = charger("finances_communes")
    reel = fc[fc["provenance"] == "réel"]
    texte = texte_donnees_reelles(donnees_reelles())
    for code, g in reel.groupby("code_insee"):
        periode = str(g["an"].min()) if g["an"].nunique() == 1 else f"{g['an'].min()}–{g['an'].max()}"
        assert f"omptes DGFiP {de(nom_entite(code))} {periode}" in texte
    assert "Tous les autres chiffres sont des données d'exemple" in texte
    assert "de Orléans" not in texte


def test_texte_reel_main():
    t = texte_donnees_reelles([("comptes DGFiP d'Orléans", 2013, 2014), ("police", 2023, 2023), ("statuts", None, None)])
    assert t.startswith("**Ce qui est réel.** Comptes DGFiP d'Orléans 2013–2014 ; police 2023 ; statuts. Tous")
