"""Language guesses: how long the detector takes to build and per message, and how often it
is right on short support messages, in lingua's low- and high-accuracy modes.

    python -m bench.bench_language [--repeat 20]

The per-message time is measured on the intake test corpus (subject and the sender's own
words, as intake asks), the accuracy on the labelled sentences below, with no language on
file, with the right one and with a wrong one on file (below SHORT_TEXT_WORDS words the
one on file decides, so a wrong prior costs the short sentences; longer clear text wins).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from lingua import IsoCode639_1, LanguageDetectorBuilder

from bench.common import table
from dashboard.intake import classify, mime

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "email"

LABELLED: dict[str, tuple[str, ...]] = {
    "nl": ("Kunnen jullie de factuur opnieuw sturen aub", "Dag, de printer is kapot",
           "Levering bestelling SO-2026-000202", "Wanneer wordt onze bestelling geleverd?",
           "Graag een kopie van het contract", "Bedankt voor de snelle levering",
           "Wij hebben de creditnota nog niet ontvangen", "Factuur klopt niet",
           "Kan er een technieker langskomen?", "Onze betaling is vorige week vertrokken"),
    "fr": ("Pouvez-vous renvoyer la facture svp", "Merci de nous rappeler",
           "La livraison n'est pas arrivée", "Facture impayée ?", "Problème d'imprimante",
           "Nous attendons la note de crédit", "Le technicien n'est pas venu",
           "Renouvellement du contrat", "Quand la commande sera-t-elle livrée ?",
           "Le paiement a été effectué hier"),
    "de": ("Können Sie die Rechnung bitte noch einmal schicken", "Der Drucker ist kaputt",
           "Lieferung der Bestellung", "Wir warten noch auf die Gutschrift",
           "Bitte rufen Sie uns zurück", "Vertrag kündigen", "Die Zahlung ist unterwegs",
           "Wann kommt der Techniker?", "Rechnung fehlerhaft", "Vielen Dank für die Lieferung"),
    "en": ("Could you resend the invoice please", "The printer is broken",
           "Where is our order?", "Please call us back", "Invoice amount is wrong",
           "We are still waiting for the credit note", "Renewal of our contract",
           "Payment was sent yesterday", "When will the technician come?",
           "Thanks for the quick delivery"),
}
WRONG_PRIOR = {"nl": "fr", "fr": "nl", "de": "nl", "en": "fr"}


def corpus_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.eml")) + sorted((DATA / "cpython").glob("msg_*.txt")):
        try:
            parsed = mime.parse(path.read_bytes())
        except mime.UnreadableMessage:
            continue
        texts.append(f"{classify.clean_subject(parsed.subject)}\n"
                     f"{classify.own_words(parsed.body)}")
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    texts = corpus_texts()
    rows = []
    for mode in ("low", "high"):
        started = time.perf_counter()
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *(IsoCode639_1.from_str(code) for code in classify.LANGUAGES))
        if mode == "low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()
        built = time.perf_counter() - started
        classify._detector = detector  # the function intake calls, with this detector
        detector.compute_language_confidence_values("warm up")
        times = []
        for _ in range(args.repeat):
            for text in texts:
                tick = time.perf_counter()
                classify.detect_language(text, prior="nl")
                times.append(time.perf_counter() - tick)
        right = sum(classify.detect_language(text) == language
                    for language, sentences in LABELLED.items() for text in sentences)
        with_prior = sum(classify.detect_language(text, language) == language
                         for language, sentences in LABELLED.items() for text in sentences)
        against = sum(classify.detect_language(text, WRONG_PRIOR[language]) == language
                      for language, sentences in LABELLED.items() for text in sentences)
        total = sum(len(s) for s in LABELLED.values())
        missed = [f"{text!r} ({language})" for language, sentences in LABELLED.items()
                  for text in sentences if classify.detect_language(text) != language]
        rows.append((mode, f"{built:.2f}", f"{statistics.median(times) * 1000:.3f}",
                     f"{sorted(times)[int(len(times) * 0.99)] * 1000:.3f}",
                     f"{right}/{total}", f"{with_prior}/{total}", f"{against}/{total}",
                     "; ".join(missed) or "-"))
    print(table(rows, ("mode", "build s", "median ms/message", "p99 ms/message",
                       "right, no prior", "right, its prior", "right, wrong prior",
                       "missed without prior")))
    print(f"\n{len(texts)} corpus messages x {args.repeat}; {classify.MAX_LANGUAGE_CHARS} "
          f"characters at most per message; prior weight {classify.PRIOR_WEIGHT}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
