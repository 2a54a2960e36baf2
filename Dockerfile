# respraft: one image, both apps (kvd and semaphored).
#
#   docker build -t respraft:0.1.0 .
#   docker run --rm -p 11001:11001 respraft:0.1.0 kvd --addr 0.0.0.0:11001 --data-dir /data/node
#
# The Kubernetes manifests run /scripts/start.sh from a ConfigMap instead of the entry
# point; see manifests/README.md.

# --- build: compile TypeScript to dist/ ---------------------------------------------
FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are here; the build runs
# below, once they are.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled output only ------------------
FROM node:20-alpine
ENV NODE_ENV=production \
    APP_HOME=/app
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY scripts/k8s/docker-entrypoint.sh /usr/local/bin/respraft
# /data is where the manifests mount each pod's volume; owned by the image's non-root
# user (node, uid 1000) so a plain `docker run` can write there too.
RUN chmod 0755 /usr/local/bin/respraft \
    && mkdir -p /data \
    && chown node:node /data
USER node
EXPOSE 11001
ENTRYPOINT ["/usr/local/bin/respraft"]
CMD ["kvd", "--addr", "0.0.0.0:11001", "--data-dir", "/data/node"]
