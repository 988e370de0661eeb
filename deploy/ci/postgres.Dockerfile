# CI's local PostgreSQL image (deploy/compose-e2e.sh): the debootstrap base with Debian's postgresql (installed into the
# root file system before `docker import`), configured like the official image. Users get the official postgres image.
FROM fluidsim-e2e/db-rootfs:local
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
