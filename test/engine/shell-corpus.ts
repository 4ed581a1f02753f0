// Command lines of real images and manifests, each with where it was read and what the shell rule
// says. A Dockerfile's exec-form ENTRYPOINT and CMD are written as the pod's command and args; its
// shell form (`ENTRYPOINT a && b`) as Docker runs it, ["/bin/sh", "-c", "a && b"]. `verdict` is the
// rule's; `truth` what happens to SIGTERM with the shells measured in shell-pid1-real.test.ts.

export interface CorpusLine {
  source: string;
  command?: string[];
  args?: string[];
  verdict: 'warn' | 'fine';
  truth: string;
}

export const CORPUS: CorpusLine[] = [
  {
    source: 'nginxinc/docker-nginx mainline/debian/Dockerfile (ENTRYPOINT + CMD)',
    command: ['/docker-entrypoint.sh'],
    args: ['nginx', '-g', 'daemon off;'],
    verdict: 'fine',
    truth: 'no shell -c: the entrypoint script runs as process 1 (it ends with exec "$@"); not checked',
  },
  {
    source: 'a pod overriding the nginx image: command [nginx, -g, "daemon off;"]',
    command: ['nginx', '-g', 'daemon off;'],
    verdict: 'fine',
    truth: 'nginx is process 1; the ";" is nginx configuration, not shell',
  },
  {
    source: 'Spring Boot guide spring.io/guides/topicals/spring-boot-docker, as in DivyaNulu/hello Dockerfile',
    command: ['java', '-jar', '/spring-boot.jar'],
    verdict: 'fine',
    truth: 'java is process 1',
  },
  {
    source: 'dev-idiots/toyproject-todolist Dockerfile (FROM openjdk:8-jre, a Debian image)',
    command: ['sh', '-c', 'java ${JAVA_OPTS} -jar /app.jar'],
    verdict: 'warn',
    truth: 'true positive where sh is dash (Debian, Ubuntu): dash stays process 1 and swallows SIGTERM',
  },
  {
    source: 'openanalytics/phaedra2-protocolservice Dockerfile (FROM openjdk:16-jdk-alpine)',
    command: ['sh', '-c', 'java $JAVA_OPTS -jar /app.jar'],
    verdict: 'warn',
    truth: 'false positive on Alpine: BusyBox sh execs a last simple command; exec costs nothing there',
  },
  {
    source: 'danilocutrim/spring-with-dynamodb-reactive Dockerfile (shell form ENTRYPOINT)',
    command: ['/bin/sh', '-c', 'echo JAVA_OPTS=$JAVA_OPTS && java $JAVA_OPTS -jar /apps/app.jar'],
    verdict: 'warn',
    truth: 'true positive where /bin/sh is dash; false positive where it is bash or BusyBox (they exec the last command)',
  },
  {
    source: 'Yelp/dumb-init README.md "Using a shell for pre-start hooks" (ENTRYPOINT + CMD)',
    command: ['/usr/bin/dumb-init', '--'],
    args: ['bash', '-c', 'do-some-pre-start-thing && exec my-server'],
    verdict: 'fine',
    truth: 'dumb-init is process 1 and forwards signals; the script execs the server anyway',
  },
  {
    source: 'Yelp/dumb-init README.md, its CMD alone in a pod whose image keeps dumb-init as ENTRYPOINT',
    args: ['bash', '-c', 'do-some-pre-start-thing && exec my-server'],
    verdict: 'fine',
    truth: 'the last command is exec-ed',
  },
  {
    source: 'krallin/tini README.md "Using Tini" (ENTRYPOINT + CMD)',
    command: ['/tini', '--'],
    args: ['/your/program', '-and', '-its', 'arguments'],
    verdict: 'fine',
    truth: 'tini is process 1 and forwards SIGTERM to the program',
  },
  {
    source: 'OktaySavdi/kubernetes-yaml argument-command/readme.md (busybox)',
    command: ['sleep', '4800'],
    verdict: 'fine',
    truth: 'sleep is process 1 (it has no SIGTERM handler either: killed at the end of the grace period)',
  },
  {
    source: 'OktaySavdi/kubernetes-yaml argument-command/readme.md (ubuntu)',
    command: ['/bin/sh'],
    args: ['-c', 'while true; do echo hello; sleep 10;done'],
    verdict: 'warn',
    truth: 'true positive with every shell: the loop keeps the shell as process 1',
  },
  {
    source: 'OktaySavdi/kubernetes-yaml argument-command/readme.md (nginx, s2i)',
    command: ['/bin/sh'],
    args: ['-c', 'while [ ! -f /opt/myfile ]; do sleep 10; done; ls -l /opt/myfile && /usr/local/s2i/run'],
    verdict: 'warn',
    truth: 'true positive where sh is dash (the nginx image is Debian)',
  },
  {
    source: 'OktaySavdi/kubernetes-yaml argument-command/readme.md (waiting for the Istio sidecar)',
    command: ['/bin/bash', '-c'],
    args: [
      'until curl --head localhost:15000 ; do echo Waiting for Sidecar; sleep 3 ; done ; echo Sidecar available; ./startup.sh',
    ],
    verdict: 'fine',
    truth: 'bash execs the last simple command after the loop (measured: "until true; do sleep 1; done; APP")',
  },
  {
    source: 'millerjmatos/devops_hub containers/docker/orchestration/kubernetes/tutorial/command.md',
    args: ['/bin/sh', '-c', 'echo Olá, Kubernetes!'],
    verdict: 'warn',
    truth: 'true positive where sh is dash, for a command that exits at once anyway (kubectl run --command)',
  },
];
