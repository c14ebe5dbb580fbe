"""``index.html`` of a run: every deliverable with its status (ok / échec), duration and links (self-contained).

A failure shows its cell, exception and message; the page carries the sample banner when any deliverable shows
sample data.
"""
from __future__ import annotations

import html as _html
from pathlib import Path
from typing import Any

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.rendu.html import CLASSE_BANDEAU, CLIENT, MISSION, rendre_autonome
from orleans_gov.rendu.taches import Resultat, parametres_affiches


def fmt_duree(s: float | None) -> str:
    """« 12,3 s » (French decimal comma, no-break space before the unit); « n.d. » when unknown."""
    if s is None:
        return "n.d."
    return f"{s:.1f}".replace(".", ",") + "\u00a0s"


def _ligne(r: Resultat) -> str:
    e = _html.escape
    liens = []
    if r.html:
        liens.append(f'<a href="{e(r.html)}">HTML</a>')
    if r.pdf:
        liens.append(f'<a href="{e(r.pdf)}">PDF</a>')
    if r.ipynb:
        liens.append(f'<a href="{e(r.ipynb)}">carnet{" partiel" if not r.reussi else ""}</a>')
    statut = ('<span class="og-statut-ok">ok</span>' if r.reussi
              else '<span class="og-statut-echec">échec</span>')
    detail = ""
    if not r.reussi:
        cell = f"cellule {r.erreur_cellule} : " if r.erreur_cellule is not None else ""
        detail = f'<div class="og-erreur">{e(cell)}{e(r.erreur())}</div>'
    param = parametres_affiches(r.parametres) or "—"
    return (f"<tr><td>{e(r.titre or r.nom)}<br><small>{e(r.nom)}</small>{detail}</td>"
            f"<td>{e(r.libelle_entite or '')}</td><td>{e(param)}</td><td>{statut}</td>"
            f"<td>{'oui' if r.exemple else 'non'}</td>"
            f'<td class="num">{fmt_duree(r.duree_s)}</td><td>{" · ".join(liens)}</td></tr>')


def ecrire_index(dossier: Path, resultats: list[Resultat], contexte: dict[str, Any], duree_totale: float) -> Path:
    """``index.html``: every deliverable with status, duration and links (self-contained)."""
    e = _html.escape
    n_ok = sum(r.reussi for r in resultats)
    n_echec = len(resultats) - n_ok
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
</style></head>
<body><main class="og-page">
{bandeau}
<header class="og-couverture">
<p class="og-mission">{e(MISSION)}</p>
<h1 class="og-titre-document">Livrables du {e(contexte['date'])}</h1>
<dl class="og-meta"><dt>Client</dt><dd>{e(CLIENT)}</dd><dt>Données</dt><dd>{e(contexte['millesime'])}</dd>
<dt>Exécution</dt><dd>{e(contexte['horodatage'])}</dd></dl>
</header>
<p class="og-resume">{len(resultats)} livrable(s) : <strong>{n_ok} réussi(s)</strong>, <strong>{n_echec} en échec</strong>
— durée totale {fmt_duree(duree_totale)}.</p>
<table class="og-index"><thead><tr><th>Document</th><th>Entité</th><th>Paramètres</th><th>Statut</th>
<th>Données d'exemple</th><th>Durée</th><th>Fichiers</th></tr></thead>
<tbody>
{chr(10).join(_ligne(r) for r in resultats)}
</tbody></table>
<footer class="og-pied"><p>Carnets exécutés avec papermill, pages sans code produites par orleans_gov {e(contexte.get('version', ''))}.
Détail des paramètres, empreintes des données et versions : manifest.json.</p></footer>
</main></body></html>
"""
    chemin = dossier / "index.html"
    chemin.write_text(rendre_autonome(page), encoding="utf-8")
    return chemin
