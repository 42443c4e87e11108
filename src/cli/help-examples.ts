/**
 * Offline help: an example or two for every command, shown under
 * "Examples:" by `hakuriver COMMAND --help` and `hakuriver help COMMAND`.
 * They live in one table (so a new command's missing example is one glance
 * away, and the help-tree test names it) and are attached where yargs
 * builds each command, whatever file registers it.
 */
import type { Argv } from "yargs";

/** Command path (the command words, without `<args>`) → [example line, what it does]. */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  host: [
    ["hakuriver host", "start the Host with ~/.hakuriver/config.toml (or the defaults)"],
    ["hakuriver host --bind 0.0.0.0 --shared-dir /mnt/cluster-share", "serve the whole network, with tarballs on shared storage"],
    ["hakuriver host --log-file /var/log/hakuriver/host.log --log-level debug", "log to rotated files (host.1.log, ...) instead of stderr"],
  ],
  runner: [
    ["hakuriver runner --host 10.0.0.1:8000", "run this node's Runner against that Host"],
    ["hakuriver runner --name gpu1 --ca /etc/hakuriver/host.pem", "name the node and verify the Host's certificate"],
  ],
  task: [["hakuriver task submit --wait -- python train.py", "run one command task and wait for it"]],
  "task submit": [
    ["hakuriver task submit --wait -- echo hello", "run a command on any node and exit with its exit code"],
    ["hakuriver task submit --target gpu1::0 --cores 4 --memory 16G -- python train.py", "on GPU 0 of node gpu1, with 4 cores and 16 GB"],
    ["hakuriver task submit --sweep -- python train.py --lr span:[0.1,0.01] --seed span:{1..3}", "one task per combination (6 tasks)"],
    ["hakuriver task submit --gpus 2 -- python train.py", "any 2 free GPUs of one node (queued until 2 are free)"],
    ["hakuriver task submit --name resnet-lr --label project=vision -- python train.py", "a name and a label to find it by"],
    ["hakuriver task submit --after-ok 1234567890 -- python eval.py", "once task (or batch) 1234567890 completed; fails unrun if it did not"],
  ],
  "task list": [
    ["hakuriver task list --status running", "running tasks"],
    ["hakuriver task list --mine --watch", "your tasks, kept live until Ctrl-C"],
    ["hakuriver task list --name 'resnet-*' --label project=vision", "tasks named resnet-..., labelled project=vision"],
  ],
  "task status": [["hakuriver task status 1234567890", "every field of one task"]],
  "task kill": [["hakuriver task kill 1234567890", "stop a task (TERM, then KILL after the grace period)"]],
  "task pause": [["hakuriver task pause 1234567890", "freeze a running task"]],
  "task resume": [["hakuriver task resume 1234567890", "let a paused task run again"]],
  "task resubmit": [
    ["hakuriver task resubmit 1234567890", "the same spec again as a new task, in the same batch"],
    ["hakuriver task resubmit --new-batch 1234567890", "the same, in a batch of its own"],
  ],
  vps: [["hakuriver vps submit --public-key-file ~/.ssh/id_ed25519.pub", "start a VPS you can ssh into"]],
  "vps submit": [
    ["hakuriver vps submit --public-key-file ~/.ssh/id_ed25519.pub --cores 2", "a VPS with 2 cores, on any node"],
    ["hakuriver vps submit --target gpu1::0 --container mylab", "a VPS from environment mylab on GPU 0 of gpu1"],
    ["hakuriver vps submit --gpus 1 --container mylab", "a VPS with any free GPU"],
    ["hakuriver vps submit --from-snapshot mybox", "a new VPS with the disk of snapshot mybox"],
    ["hakuriver vps submit --ssh none --container mylab", "no sshd, no key, any image; then: hakuriver vps connect ID"],
  ],
  "vps connect": [["hakuriver vps connect 1234567890", "a root shell in the VPS (works without sshd: vps submit --ssh none)"]],
  "vps list": [["hakuriver vps list --all", "every VPS, ended ones too"]],
  "vps status": [["hakuriver vps status 1234567890", "a VPS and the ssh command for it"]],
  "vps kill": [["hakuriver vps kill 1234567890", "stop and remove a VPS"]],
  "vps pause": [["hakuriver vps pause 1234567890", "freeze a VPS (its sessions stall)"]],
  "vps resume": [["hakuriver vps resume 1234567890", "let a paused VPS run again"]],
  "vps stop": [["hakuriver vps stop 1234567890", "stop a VPS, keep its disk, free its cores, memory and GPUs"]],
  "vps start": [
    ["hakuriver vps start 1234567890", "start a stopped VPS again on its node (queued while the node is full)"],
    ["hakuriver vps start 1234567890 --node beta", "start it on node beta from its latest snapshot"],
  ],
  "vps restart": [["hakuriver vps restart 1234567890", "stop a VPS and start it again on its node"]],
  "vps snapshot": [
    ["hakuriver vps snapshot 1234567890 --name mybox", "save the VPS's disk as snapshot mybox in shared storage"],
    ["hakuriver vps snapshot delete mybox", "delete snapshot mybox and its tarball"],
  ],
  "vps snapshots": [["hakuriver vps snapshots", "list snapshots, newest first"]],
  ssh: [
    ["hakuriver ssh 1234567890", "log in as root through the Host"],
    ["hakuriver ssh 1234567890 -- -L 8888:localhost:8888", "with ssh options (here a port forward)"],
  ],
  "ssh-proxy": [["ssh -o ProxyCommand='hakuriver ssh-proxy 1234567890' root@vps", "what ssh-config writes for you"]],
  "ssh-config": [
    ["hakuriver ssh-config 1234567890 --install", "add the block to ~/.ssh/config, then: ssh hakuriver-1234567890"],
    ["hakuriver ssh-config 1234567890", "print the block instead"],
    ["hakuriver ssh-config 1234567890 --jump --install", "a block that reaches the VPS through the Host's SSH jump host (ProxyJump, no hakuriver needed to log in)"],
  ],
  forward: [
    ["hakuriver forward 1234567890 8888", "Jupyter in task 1234567890 at http://127.0.0.1:8888 here"],
    ["hakuriver forward 1234567890 6006 --local 0", "TensorBoard on any free local port (printed)"],
  ],
  exec: [
    ["hakuriver exec 1234567890 -- nvidia-smi", "run a command inside a running task or VPS; exits with its code"],
    ["hakuriver exec -it 1234567890 -- bash", "an interactive shell in it (raw terminal, resize, Ctrl-C)"],
    ["hakuriver exec --user 1000 --workdir /tmp 1234567890 -- ls", "as another user, in another directory"],
  ],
  logs: [
    ["hakuriver logs 1234567890 --follow", "stdout until the task ends"],
    ["hakuriver logs 1234567890 --stderr", "what the task wrote to stderr"],
    ["hakuriver logs 1234567890 --tail 20 --follow", "the last 20 lines, then new output"],
    ["hakuriver logs 1234567890 --since 10m --timestamps", "the last 10 minutes' output, each line with when it arrived"],
  ],
  nodes: [["hakuriver nodes", "every node with its cores, memory, GPUs and load"]],
  health: [
    ["hakuriver health", "the cluster now and over the last 60 s"],
    ["hakuriver health gpu1", "one node"],
  ],
  node: [["hakuriver node drain gpu1", "stop placing work on gpu1"]],
  "node drain": [["hakuriver node drain gpu1", "no new work on gpu1; running work finishes"]],
  "node undrain": [["hakuriver node undrain gpu1", "gpu1 takes work again"]],
  docker: [["hakuriver docker create-container python:3.12 mylab", "start an environment to customise"]],
  "docker create-container": [["hakuriver docker create-container python:3.12 mylab", "environment mylab from a local image"]],
  "docker list-containers": [["hakuriver docker list-containers", "the environments on the Host"]],
  "docker start-container": [["hakuriver docker start-container mylab", "start a stopped environment"]],
  "docker stop-container": [["hakuriver docker stop-container mylab", "stop an environment"]],
  "docker delete-container": [
    ["hakuriver docker delete-container mylab", "remove the environment's container"],
    ["hakuriver docker delete-container mylab --image", "and its hakuriver/mylab:base image"],
  ],
  "docker shell": [
    ["hakuriver docker shell mylab", "an interactive shell in environment mylab"],
    ["hakuriver docker shell mylab -- pip install numpy", "run one command there"],
  ],
  "docker create-tar": [["hakuriver docker create-tar mylab", "pack mylab for the runners (they sync it before its next task)"]],
  "docker list-tars": [["hakuriver docker list-tars mylab", "mylab's tarballs on shared storage"]],
  "docker delete-tar": [["hakuriver docker delete-tar mylab --timestamp 1764000000", "delete one tarball (all of them without --timestamp)"]],
  init: [["hakuriver init config", "write ~/.hakuriver/config.toml with every setting commented"]],
  "init config": [["hakuriver init config --path ./cluster.toml", "write a commented default config there"]],
  "init service": [["hakuriver init service runner --output-dir /etc/systemd/system", "a systemd unit for this node's Runner"]],
  login: [["hakuriver login --host 10.0.0.1:8000 --token-file admin.token", "store the token in admin.token for that Host"]],
  logout: [["hakuriver logout", "forget the token for the configured Host"]],
  whoami: [["hakuriver whoami", "who the Host thinks you are"]],
  user: [["hakuriver user add alice --role operator", "add a user who can drain nodes"]],
  "user add": [["hakuriver user add alice --role user", "add a user and print their first token"]],
  "user list": [["hakuriver user list", "every user and role"]],
  "user remove": [["hakuriver user remove alice", "remove alice; her tokens stop working at once"]],
  "user set-role": [["hakuriver user set-role alice admin", "make alice an admin"]],
  token: [["hakuriver token create --label laptop --expires 30d", "a token for another machine"]],
  "token create": [["hakuriver token create --label ci --expires 7d", "a token that expires in a week"]],
  "token list": [["hakuriver token list", "your tokens (every user's, for an admin)"]],
  "token revoke": [["hakuriver token revoke 12", "revoke token 12; its streams end at once"]],
  key: [["hakuriver key add ~/.ssh/id_ed25519.pub", "let this key through the jump host to your VPS"]],
  "key add": [
    ["hakuriver key add ~/.ssh/id_ed25519.pub", "register your key: ssh -J jump@HOST:8003 root@vps-ID then works with it"],
    ["hakuriver key add bob.pub --user bob", "register bob's key (admin)"],
  ],
  "key list": [["hakuriver key list", "your registered keys (everyone's, for an admin)"]],
  "key remove": [["hakuriver key remove key_1a2b3c4d", "the jump host refuses that key from the next login on"]],
  audit: [
    ["hakuriver audit --since 1h", "what was done in the last hour"],
    ["hakuriver audit --user alice --limit 20", "alice's last 20 calls"],
  ],
  help: [["hakuriver help task submit", "the help of one command (as: hakuriver task submit --help)"]],
  top: [
    ["hakuriver top", "nodes, GPUs and active tasks, live, until q"],
    ["hakuriver top --json", "one snapshot of the same, for machines"],
  ],
  completion: [
    ["hakuriver completion >> ~/.bashrc", "tab completion in every new bash (zsh: >> ~/.zshrc)"],
    ["source <(hakuriver completion)", "tab completion in this shell only"],
  ],
};

/** The longest leading run of `words` that names a command (every command has an EXAMPLES entry); empty when the first is none. */
export function knownCommandPath(words: readonly string[]): string[] {
  for (let n = words.length; n > 0; n--) {
    if (EXAMPLES[words.slice(0, n).join(" ")]) return words.slice(0, n);
  }
  return [];
}

type CommandMethod = (...args: unknown[]) => unknown;

/**
 * Makes every command registered on `parser` (at any depth) show its
 * EXAMPLES entry in its help. yargs builds nested commands on the same
 * instance, so wrapping its `command` method once covers them all: the path
 * is known when a command is registered, and its examples are added when its
 * builder runs (that is, when it is the command being parsed).
 */
export function attachExamples<T>(parser: Argv<T>): Argv<T> {
  const target = parser as unknown as { command: CommandMethod };
  const register = target.command.bind(parser) as CommandMethod;
  let prefix: readonly string[] = [];
  target.command = (command: unknown, description: unknown, builder: unknown, ...rest: unknown[]) => {
    if (typeof command !== "string" || typeof builder !== "function") return register(command, description, builder, ...rest);
    const path = [...prefix, command.split(" ")[0]!];
    const build = builder as (y: Argv<T>) => unknown;
    const withExamples = (y: Argv<T>) => {
      const outer = prefix;
      prefix = path;
      try {
        const built = build(y);
        for (const [example, what] of EXAMPLES[path.join(" ")] ?? []) y.example(example, what);
        return built;
      } finally {
        prefix = outer;
      }
    };
    return register(command, description, withExamples, ...rest);
  };
  return parser;
}
