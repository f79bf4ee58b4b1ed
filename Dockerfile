# syntax=docker/dockerfile:1
# One file, two images:
#   docker build --target dashboard -t cni-dashboard:dev .
#   docker build --target agent     -t cni-dashboard-agent:dev .
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS source
WORKDIR /src
# Project files first, so a code change does not invalidate the restore layer.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Shared/CniDashboard.Shared.csproj Shared/
COPY Client/CniDashboard.Client.csproj Client/
COPY Server/CniDashboard.Server/CniDashboard.Server.csproj Server/CniDashboard.Server/
COPY Server/CniDashboard.Agent/CniDashboard.Agent.csproj Server/CniDashboard.Agent/
RUN dotnet restore Server/CniDashboard.Server/CniDashboard.Server.csproj \
 && dotnet restore Server/CniDashboard.Agent/CniDashboard.Agent.csproj -r linux-x64
COPY Shared/ Shared/
COPY Client/ Client/
# The product only: the demo (Server/CniDashboard.Demo) and the simulated cluster stay out of both images.
COPY Server/CniDashboard.Server/ Server/CniDashboard.Server/
COPY Server/CniDashboard.Agent/ Server/CniDashboard.Agent/

FROM source AS publish-dashboard
RUN dotnet publish Server/CniDashboard.Server/CniDashboard.Server.csproj -c Release -o /out --no-restore

FROM source AS publish-agent
# NativeAOT needs the platform linker.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
RUN dotnet publish Server/CniDashboard.Agent/CniDashboard.Agent.csproj -c Release -r linux-x64 -o /out --no-restore

# The dashboard: ASP.NET Core on a chiseled (shell-less, non-root) image. State lives in /data.
# It listens where Dashboard__ListenAddress/Port say: loopback unless a sign-in mode is set
# (Dashboard__Auth__Mode=oidc or proxy; the Helm chart sets both), and health and metrics on
# Dashboard__Management__Port (8081 in the chart).
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble-chiseled AS dashboard
WORKDIR /app
COPY --from=publish-dashboard /out ./
ENV Dashboard__DataDir=/data
EXPOSE 8080 8081
USER $APP_UID
ENTRYPOINT ["dotnet", "cni-dashboard.dll"]

# The node agent: one NativeAOT binary, nothing else. Runs as root because the CNI files are
# root-owned; the DaemonSet drops every capability but CHOWN.
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble-chiseled AS agent
COPY --from=publish-agent /out/cni-dashboard-agent /cni-dashboard-agent
USER 0
EXPOSE 9440
ENTRYPOINT ["/cni-dashboard-agent"]
