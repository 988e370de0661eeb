# CI's local node image (deploy/compose-e2e.sh), for a machine that reaches no image registry: the self-contained
# `dotnet publish` of the CLI (the build context) on the debootstrap base image. Users build deploy/Dockerfile instead.
FROM fluidsim-e2e/base:local
RUN groupadd --gid 10001 fluidsim \
    && useradd --uid 10001 --gid fluidsim --no-create-home --shell /usr/sbin/nologin fluidsim \
    && mkdir -p /results && chown fluidsim:fluidsim /results
COPY . /opt/fluidsim
ENV PATH="/opt/fluidsim:${PATH}" \
    FLUIDSIM_RESULTS=/results
USER fluidsim
WORKDIR /results
ENTRYPOINT ["fluidsim"]
CMD ["node"]
