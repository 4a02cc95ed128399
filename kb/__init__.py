"""kb — a policy knowledge base for electricity connection (获得电力).

Data flows one way: corpus → parse → clauses → index → search → CLI and web.
This package never imports Flask.
"""

__version__ = "0.1.0"
