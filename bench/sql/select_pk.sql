-- Reference: one user read by primary key (UserStore::byId), the cheapest useful query.
\set k random(0, :n - 1)
\set id :ubase + :k
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM users u WHERE u.id = :id;
