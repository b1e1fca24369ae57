// Temporal's Java test server (the same classes .tools/test-server runs) starting its clock at a
// given instant instead of now: the working-day tests run across holidays that lie behind the
// machine's date (Spring Festival and National Day 2026). test/support/test-server-at.ts
// compiles and launches it. Usage: TestServerAt <port> [--enable-time-skipping], with the
// start instant (epoch ms) in the system property creditflow.startAt.
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;

public final class TestServerAt {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long startAt = Long.parseLong(System.getProperty("creditflow.startAt"));
    boolean timeSkipping = false;
    for (int i = 1; i < args.length; i++) if (args[i].equalsIgnoreCase("--enable-time-skipping")) timeSkipping = true;
    TestServicesStarter starter = new TestServicesStarter(!timeSkipping, startAt);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(starter.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> { server.shutdown(); starter.close(); }));
    server.awaitTermination();
  }
}
