"""Thai and English text understanding for the Damrongdham complaint platform: normalisation and
tokenisation (``nlp.text``), the complaint classifier with its routing suggestion
(``nlp.classifier``), the FAQ retriever (``nlp.faq``) and chat intent detection (``nlp.intents``).

Importing the package is cheap; heavy modules (scikit-learn, PyThaiNLP) load when their submodule
is imported.
"""
