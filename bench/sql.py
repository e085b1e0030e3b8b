"""The SQL that answers each benchmark question: PostGraphile's functions and the floor.

Both PostGraphile and the floor run these same statements, so the comparison measures
what each server adds on top of the database's own work.
"""

from __future__ import annotations

FUNCTIONS = """
CREATE SCHEMA IF NOT EXISTS bench;

CREATE TYPE bench.ranking_entry AS (
  rank bigint, province_code text, province_name text, province_slug text, value double precision
);

CREATE OR REPLACE FUNCTION bench.national_ranking(indicator text, ranking_year int)
RETURNS SETOF bench.ranking_entry LANGUAGE sql STABLE AS $$
  WITH latest AS (
    SELECT o.province_code, o.value,
           row_number() OVER (PARTITION BY o.province_code ORDER BY o.period DESC, o.id DESC) AS n
    FROM observations o JOIN provinces p ON p.code = o.province_code
    WHERE o.is_current AND o.indicator_code = indicator AND o.year = ranking_year
      AND o.dim_level IS NULL AND o.dim_qualification IS NULL AND o.dim_employment IS NULL
      AND o.dim_school_level IS NULL AND o.dim_audience IS NULL AND o.dim_sector IS NULL
      AND o.dim_training_mode IS NULL
      AND (p.valid_to IS NULL OR p.valid_to >= make_date(ranking_year, 12, 31))
  )
  SELECT rank() OVER (ORDER BY CASE WHEN i.higher_is_better THEN -l.value ELSE l.value END),
         p.code, p.name, p.slug, l.value
  FROM latest l JOIN provinces p ON p.code = l.province_code
  JOIN indicators i ON i.code = indicator
  WHERE l.n = 1
  ORDER BY 1, 2
$$;

CREATE TYPE bench.comparison_cell AS (
  province_code text, province_name text, indicator_code text, indicator_name text,
  year int, value double precision, rank bigint
);

CREATE OR REPLACE FUNCTION bench.compare(first_province text, second_province text)
RETURNS SETOF bench.comparison_cell LANGUAGE sql STABLE AS $$
  WITH latest AS (
    SELECT o.indicator_code, o.year, o.province_code, o.value,
           row_number() OVER (PARTITION BY o.indicator_code, o.year, o.province_code
                              ORDER BY o.period DESC, o.id DESC) AS n
    FROM observations o JOIN provinces p ON p.code = o.province_code
    WHERE o.is_current AND o.dim_level IS NULL AND o.dim_qualification IS NULL
      AND o.dim_employment IS NULL AND o.dim_school_level IS NULL AND o.dim_audience IS NULL
      AND o.dim_sector IS NULL AND o.dim_training_mode IS NULL
      AND (p.valid_to IS NULL OR p.valid_to >= make_date(o.year, 12, 31))
  ), ranked AS (
    SELECT l.*,
           rank() OVER (PARTITION BY l.indicator_code, l.year
                        ORDER BY CASE WHEN i.higher_is_better THEN -l.value ELSE l.value END)
             AS r
    FROM latest l JOIN indicators i ON i.code = l.indicator_code WHERE l.n = 1
  )
  SELECT p.code, p.name, i.code, i.name, r.year, r.value, r.r
  FROM ranked r JOIN provinces p ON p.code = r.province_code
  JOIN indicators i ON i.code = r.indicator_code
  WHERE r.province_code IN (first_province, second_province)
  ORDER BY 3, 5, 1
$$;

-- On PostgreSQL the hub checks observations' references with statement triggers, not
-- foreign keys (migration 0006): PostGraphile is told of them by smart tags, so that it
-- offers the same relations (an observation's indicator, province) as it did.
COMMENT ON TABLE public.observations IS
'@foreignKey (indicator_code) references public.indicators (code)
@foreignKey (province_code) references public.provinces (code)
@foreignKey (source_id) references public.sources (id)
@foreignKey (submission_id) references public.submissions (id)';

CREATE OR REPLACE FUNCTION public.targets_latest_value(t public.targets)
RETURNS double precision LANGUAGE sql STABLE AS $$
  SELECT o.value FROM observations o JOIN plans pl ON pl.id = t.plan_id
  WHERE o.is_current AND o.province_code = pl.province_code
    AND o.indicator_code = t.indicator_code AND o.dimension_key = t.dimension_key
  ORDER BY o.year DESC, o.period DESC, o.id DESC LIMIT 1
$$;
"""

FLOOR = {
    "ranking": "SELECT * FROM bench.national_ranking($1, $2)",
    "compare": "SELECT * FROM bench.compare($1, $2)",
    "dashboard": """
        SELECT pl.number, pl.kind, pl.title, pl.issued_on, pl.period_start, pl.period_end,
               p.code, p.name, t.description, t.year, t.value, i.code, i.name, i.unit,
               public.targets_latest_value(t)
        FROM plans pl JOIN provinces p ON p.code = pl.province_code
        JOIN targets t ON t.plan_id = pl.id LEFT JOIN indicators i ON i.code = t.indicator_code
        WHERE pl.is_current ORDER BY pl.province_code, pl.id, t.position""",
    "page": """
        SELECT o.id, o.year, o.period, o.value, o.numerator, o.denominator,
               i.code, i.name, i.name_en, i.unit, p.code, p.name
        FROM observations o JOIN indicators i ON i.code = o.indicator_code
        JOIN provinces p ON p.code = o.province_code
        WHERE o.is_current ORDER BY o.id LIMIT 1000""",
}
