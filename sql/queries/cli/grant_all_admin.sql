-- cli/grant_all_admin - whether the user is an admin of every project (who
-- may grant --all-projects).
-- columns: allowed
SELECT EXISTS (SELECT 1 FROM midwatch.project_access
                WHERE all_projects AND role = 'admin') AS allowed
