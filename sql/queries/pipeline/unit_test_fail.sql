-- pipeline/unit_test_fail - fails (MIDWATCH_TEST_FAIL_UNIT: a test makes a
-- unit fail).
-- columns: failed
SELECT 1 / 0 AS failed -- MIDWATCH_TEST_FAIL_UNIT
