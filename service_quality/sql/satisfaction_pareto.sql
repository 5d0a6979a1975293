-- (after _surveys.sql) Pareto of problem categories: surveys per category, largest first, with
-- the share and the cumulative share of all categorised surveys ($survey_type NULL = all types).
SELECT
    problem_category,
    count(*) AS surveys,
    count(*) FILTER (WHERE low_score) AS low,
    count(*) / sum(count(*)) OVER () AS share,
    sum(count(*)) OVER (ORDER BY count(*) DESC, problem_category ROWS UNBOUNDED PRECEDING)
        / sum(count(*)) OVER () AS cumulative_share
FROM v
WHERE problem_category IS NOT NULL AND trim(problem_category) <> ''
  AND ($survey_type IS NULL OR survey_type = $survey_type)
GROUP BY problem_category
ORDER BY surveys DESC, problem_category
