"""``index.html`` of a run: a reading guide of the deliverables, then the technical log (self-contained page).

- **Guide de lecture** (:mod:`orleans_gov.rendu.guide`): the documents in reading order (synthèse → 01 → 02 → 03 →
  04 → fiches), each with what it answers, how to read it and its links (HTML, PDF, annexe Excel); the fiches as
  one table of the 23 entities. A document that failed says so and points to the log.
- **Journal technique**: every deliverable with its status (ok / échec), whether it was rendered in this run (and
  why) or reused from a previous run, data d'exemple, duration, parameters and files; a failure shows its cell,
  exception and message.

The page carries the sample banner when any deliverable shows sample data.
"""
from __future__ import annotations

import html as _html
from pathlib import Path
from typing import Any

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.rendu.guide import INTRODUCTION, lecture
from orleans_gov.rendu.html import CLASSE_BANDEAU, CLIENT, MISSION, rendre_autonome
from orleans_gov.rendu.taches import NOTEBOOK_FICHE, Resultat, ecrire_livrable, parametres_affiches
from orleans_gov.restitution.textes import accorde, compte

e = _html.escape
CSS_INDEX = """
.og-guide-intro { max-width: 52em; }
.og-guide-doc { border-left: 4px solid var(--og-bleu-clair); padding: 0.1em 0 0.3em 1em; margin: 1em 0 1.2em 0; }
.og-guide-doc h3 { margin: 0.2em 0 0.3em 0; color: #10263d; }
.og-guide-doc p { margin: 0.25em 0; max-width: 52em; }
.og-guide-question { font-weight: bold; color: #333; }
.og-liens a { margin-right: 0.2em; }
.og-indisponible { color: var(--og-rouge); }
.og-reutilise { color: var(--og-gris); font-size: 0.85em; }
.og-journal { margin-top: 2.5em; }
"""


def fmt_duree(s: float | None) -> str:
    """« 12,3 s » (French decimal comma, no-break space before the unit); « n.d. » when unknown."""
    if s is None:
        return "n.d."
    return f"{s:.1f}".replace(".", ",") + "\u00a0s"


def _liens(r: Resultat, carnet: bool = False) -> str:
    liens = []
    if r.html:
        liens.append(f'<a href="{e(r.html)}">HTML</a>')
    if r.pdf:
        liens.append(f'<a href="{e(r.pdf)}">PDF</a>')
    if r.annexe:
        liens.append(f'<a href="{e(r.annexe)}">annexe Excel</a>')
    if carnet and r.ipynb:
        liens.append(f'<a href="{e(r.ipynb)}">notebook source{" (partiel)" if not r.reussi else ""}</a>')
    return " · ".join(liens)


def _disponible(r: Resultat) -> str:
    if r.reussi:
        return f'<p class="og-liens">{_liens(r)}</p>'
    return ('<p class="og-indisponible">Non disponible dans ce rendu : échec, voir le journal technique '
            f'({e(r.nom)}).</p>')


def _est_fiche(r: Resultat) -> bool:
    return Path(r.notebook).stem == NOTEBOOK_FICHE


def guide(resultats: list[Resultat]) -> str:
    """The « Guide de lecture » section: documents in reading order, then the fiches."""
    documents = sorted((r for r in resultats if not _est_fiche(r)),
                       key=lambda r: (lecture(r.notebook, r.titre or r.nom).rang, r.nom))
    fiches = [r for r in resultats if _est_fiche(r)]
    blocs = []
    for i, r in enumerate(documents, start=1):
        lec = lecture(r.notebook, r.titre or r.nom)
        sous_titre = f" — <em>{e(r.titre)}</em>" if r.titre and r.titre != lec.titre else ""
        blocs.append(f'<article class="og-guide-doc"><h3>{i}. {e(lec.titre)}{sous_titre}</h3>'
                     + (f'<p class="og-guide-question">{e(lec.question)}</p>' if lec.question else "")
                     + (f"<p>{e(lec.conseil)}</p>" if lec.conseil else "") + _disponible(r) + "</article>")
    if fiches:
        lec = lecture(fiches[0].notebook, "Fiches")
        lignes = "".join(
            f"<tr><td>{e(r.libelle_entite or r.nom)}</td><td>"
            + (_liens(r) if r.reussi else '<span class="og-indisponible">échec (voir le journal technique)</span>')
            + "</td></tr>" for r in fiches)
        blocs.append(f'<article class="og-guide-doc"><h3>{len(documents) + 1}. {e(lec.titre)}</h3>'
                     + (f'<p class="og-guide-question">{e(lec.question)}</p>' if lec.question else "")
                     + (f"<p>{e(lec.conseil)}</p>" if lec.conseil else "")
                     + '<table class="og-index"><thead><tr><th>Entité</th><th>Fichiers</th></tr></thead><tbody>'
                     + lignes + "</tbody></table></article>")
    return ('<section class="og-guide"><h2>Guide de lecture</h2>'
            f'<p class="og-guide-intro">{e(INTRODUCTION)}</p>' + "".join(blocs) + "</section>")


def _ligne(r: Resultat) -> str:
    statut = ('<span class="og-statut-ok">ok</span>' if r.reussi
              else '<span class="og-statut-echec">échec</span>')
    detail = ""
    if not r.reussi:
        cell = f"cellule {r.erreur_cellule} : " if r.erreur_cellule is not None else ""
        detail = f'<div class="og-erreur">{e(cell)}{e(r.erreur())}</div>'
    if r.annexe_erreurs:
        detail += f'<div class="og-erreur">Annexe Excel : {e(" ; ".join(r.annexe_erreurs))}</div>'
    if r.reutilise_de:
        rendu = (f'<span class="og-reutilise">réutilisé de {e(r.reutilise_de)}'
                 + (f" (rendu dans {e(r.rendu_dans)})" if r.rendu_dans and r.rendu_dans != r.reutilise_de else "")
                 + "</span>")
    else:
        rendu = f"rendu : {e(r.raison)}" if r.raison else "rendu"
    param = parametres_affiches(r.parametres) or "—"
    return (f"<tr><td>{e(r.titre or r.nom)}<br><small>{e(r.nom)}</small>{detail}</td>"
            f"<td>{e(r.libelle_entite or '')}</td><td>{e(param)}</td><td>{statut}</td><td>{rendu}</td>"
            f"<td>{'oui' if r.exemple else 'non'}</td>"
            f'<td class="num">{fmt_duree(r.duree_s)}</td><td>{_liens(r, carnet=True)}</td></tr>')


def journal(resultats: list[Resultat], contexte: dict[str, Any], duree_totale: float) -> str:
    """The « Journal technique » section."""
    n_ok = sum(r.reussi for r in resultats)
    n_reutilises = sum(r.reutilise_de is not None for r in resultats)
    return f"""<section class="og-journal"><h2>Journal technique</h2>
<p class="og-resume">Exécution du {e(contexte['horodatage'])} : {compte(len(resultats), 'livrable', feminin=False)},
<strong>{n_ok} {accorde(n_ok, 'réussi')}</strong> dont {n_reutilises} {accorde(n_reutilises, 'réutilisé')} d'un rendu précédent (entrées inchangées),
<strong>{len(resultats) - n_ok} en échec</strong> — durée totale {fmt_duree(duree_totale)}.
Durée d'un livrable réutilisé : celle de son rendu d'origine.</p>
<table class="og-index"><thead><tr><th>Document</th><th>Entité</th><th>Paramètres</th><th>Statut</th>
<th>Rendu</th><th>Données d'exemple</th><th>Durée</th><th>Fichiers</th></tr></thead>
<tbody>
{chr(10).join(_ligne(r) for r in resultats)}
</tbody></table></section>"""


def ecrire_index(dossier: Path, resultats: list[Resultat], contexte: dict[str, Any], duree_totale: float) -> Path:
    """``index.html``: reading guide, then the technical log (self-contained)."""
    bandeau = ""
    if any(r.exemple for r in resultats):
        bandeau = (f'<div class="og-bandeau-page {CLASSE_BANDEAU}" role="note">⚠ {e(TEXTE_EXEMPLE)}. '
                   "Les livrables marqués « exemple » reposent sur des données synthétiques.</div>")
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Livrables — {e(MISSION)}</title>
<style>
{contexte['css']}
{CSS_INDEX}
</style></head>
<body><main class="og-page">
{bandeau}
<header class="og-couverture">
<p class="og-mission">{e(MISSION)}</p>
<h1 class="og-titre-document">Livrables du {e(contexte['date'])}</h1>
<dl class="og-meta"><dt>Client</dt><dd>{e(CLIENT)}</dd><dt>Données</dt><dd>{e(contexte['millesime'])}</dd></dl>
</header>
{guide(resultats)}
{journal(resultats, contexte, duree_totale)}
<footer class="og-pied"><p>Carnets exécutés avec papermill, pages sans code produites par orleans_gov
{e(contexte.get('version', ''))}.
Détail des paramètres, empreintes des entrées de chaque livrable et versions : manifest.json.</p></footer>
</main></body></html>
"""
    return ecrire_livrable(dossier / "index.html", rendre_autonome(page))


__all__ = ["ecrire_index", "fmt_duree", "guide", "journal"]
