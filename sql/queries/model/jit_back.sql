-- model/jit_back - puts back the JIT setting model/jit_off saved.
-- columns: jit
SELECT set_config('jit', current_setting('midwatch.saved_jit'), false) AS jit
