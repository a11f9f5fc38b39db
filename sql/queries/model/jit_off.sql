-- model/jit_off - turns JIT compilation off for the snapshot's queries,
-- saving the session's setting (model/jit_back puts it back).  At 10,000
-- incidents the alerts query's estimated cost passes jit_above_cost, and
-- compiling it took 130-170 ms for a query that runs in less
-- (doc/performance.md, "Console").
-- columns: saved, jit
SELECT set_config('midwatch.saved_jit', current_setting('jit'), false) AS saved,
       set_config('jit', 'off', false) AS jit
