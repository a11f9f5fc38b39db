-- cli/grant_member - makes a login a member of the group role of its
-- midwatch role (midwatch.grant_member); why it could not (NULL: done).
-- $1 login
-- $2 role
-- columns: grant_member
SELECT midwatch.grant_member($1, $2)
