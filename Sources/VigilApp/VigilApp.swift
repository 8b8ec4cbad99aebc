import VigilCore
import VigilRender
